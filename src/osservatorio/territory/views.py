from django.shortcuts import render
from django.views.decorators.http import require_GET

from osservatorio.accounts.access import public


@public
@require_GET
def search(request):
    return render(request, "territory/search.html", {"q": request.GET.get("q", "")})
