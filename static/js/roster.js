/* The roster on a phone (templates/attendance/roster.html), as progressive enhancement:
   - the name filter hides non-matching rows as one types (without JavaScript, the same
     filter runs on the server with ?q=);
   - "Save attendance" saves in the background and updates the rows in place, so the page
     stays where it was (without JavaScript, the server redirects back to the row's #anchor);
   - leaving the page with choices not yet saved asks first. */
(function () {
  "use strict";

  var dirty = false;
  var lastRow = "";
  var saving = false;

  function folded(text) {
    // As attendance.roster.folded: no accents, case-folded.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function rosterForm() {
    return document.querySelector(".roster-form");
  }

  function setText(id, text) {
    var element = document.getElementById(id);
    if (element) element.textContent = text;
  }

  function applyFilter(announce) {
    var input = document.getElementById("roster-q");
    var form = rosterForm();
    if (!input || !form) return;
    var words = folded(input.value).split(/\s+/).filter(Boolean);
    var rows = form.querySelectorAll(".roster-row");
    var shown = 0;
    rows.forEach(function (row) {
      var name = folded(row.getAttribute("data-name") || "");
      var match = words.every(function (word) { return name.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    var none = form.querySelector(".roster-no-match");
    if (none) none.hidden = shown > 0 || rows.length === 0;
    if (announce) {
      var noun = rows.length === 1 ? "person" : "people";
      setText("roster-filter-status", words.length ? shown + " of " + rows.length + " " + noun + " shown." : "");
    }
  }

  function markDirty(event) {
    var form = rosterForm();
    if (!form || !form.contains(event.target)) return;
    var row = event.target.closest(".roster-row");
    if (row) lastRow = row.id;
    if (!dirty) {
      dirty = true;
      setText("roster-save-status", "Not saved yet.");
    }
  }

  function swap(selector, fresh, keepHidden) {
    var old = document.querySelector(selector);
    var replacement = fresh.querySelector(selector);
    if (!old || !replacement) return;
    if (keepHidden) replacement.hidden = old.hidden;
    old.replaceWith(document.importNode(replacement, true));
  }

  // Where the row the trainer is at sits on the screen, to put it back there after the swap.
  function reference() {
    var element = (lastRow && document.getElementById(lastRow)) || document.activeElement;
    if (!element || element === document.body) element = document.querySelector(".roster-save");
    return element && element.id ? { id: element.id, top: element.getBoundingClientRect().top } : null;
  }

  function update(fresh, ok) {
    var ref = reference();
    var focusedId = document.activeElement && document.activeElement.id;
    ["#roster-errors-slot", ".roster-totals", ".mark-all"].forEach(function (selector) {
      swap(selector, fresh, false);
    });
    document.querySelectorAll(".roster-form .roster-row[id]").forEach(function (row) {
      swap("#" + CSS.escape(row.id), fresh, true);
    });
    if (ref) {
      var again = document.getElementById(ref.id);
      if (again) window.scrollBy(0, again.getBoundingClientRect().top - ref.top);
    }
    if (focusedId) {
      var focus = document.getElementById(focusedId);
      if (focus) focus.focus({ preventScroll: true });
    }
    var status = fresh.getElementById("roster-save-status");
    var message = status ? status.textContent.trim() : "";
    if (ok) {
      dirty = false;
      setText("roster-save-status", message || "Saved.");
    } else {
      setText("roster-save-status", "Nothing was saved. Correct the rows marked in red and save again.");
    }
  }

  function save(event) {
    var form = event.target;
    if (!form.matches(".roster-form")) return;
    if (!window.fetch || !window.DOMParser) {
      // The browser posts the form itself; the server brings it back to this row.
      dirty = false;
      form.querySelector("input[name=at]").value = lastRow;
      return;
    }
    event.preventDefault();
    if (saving) return;
    saving = true;
    var data = new FormData(form);
    data.set("at", lastRow);
    setText("roster-save-status", "Saving…");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          if (!fresh.querySelector(".roster-form") || (!response.ok && response.status !== 400)) {
            throw new Error("not the roster");
          }
          update(fresh, response.ok);
          if (response.ok && lastRow) history.replaceState(null, "", "#" + lastRow);
        });
      })
      .catch(function () {
        // Let the browser post the form itself (and show what the server says).
        dirty = false;
        var at = form.querySelector("input[name=at]");
        if (at) at.value = lastRow;
        form.submit();
      })
      .finally(function () { saving = false; });
  }

  document.addEventListener("change", markDirty);
  document.addEventListener("input", function (event) {
    if (event.target.id === "roster-q") {
      applyFilter(true);
    } else {
      markDirty(event);
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches(".roster-filter")) {
      // Filtering happens as one types; a reload would drop choices not yet saved.
      event.preventDefault();
      applyFilter(true);
      return;
    }
    save(event);
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
  document.addEventListener("DOMContentLoaded", function () { applyFilter(false); });
})();
