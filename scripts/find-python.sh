#!/usr/bin/env sh
# Print the path of the newest Python >= 3.12 on PATH or under pyenv; fail with advice if none.
for candidate in python3.14 python3.13 python3.12 python3 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for dir in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
  if [ -x "$dir/bin/python3" ] && "$dir/bin/python3" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$dir/bin/python3"; exit 0
  fi
done
echo "pd_platform needs Python 3.12 or newer (Django 6 requires it)." >&2
echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.13 package) and retry." >&2
exit 1
