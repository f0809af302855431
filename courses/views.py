from django.http import HttpResponse


def catalog(request):
    return HttpResponse("catalog")


def course_detail(request, slug):
    return HttpResponse(slug)


def session_detail(request, pk):
    return HttpResponse(str(pk))
