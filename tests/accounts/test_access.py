"""The access decorators on function views, Django class-based views and REST framework views, and the
read log they write."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from django.views.decorators.http import require_POST
from rest_framework.response import Response
from rest_framework.views import APIView

from osservatorio.accounts.access import (
    check_comune,
    get_access_policy,
    public,
    roles_required,
    user_comune_codes,
)
from osservatorio.accounts.audit import object_reference, record_read
from osservatorio.accounts.models import AccessLog
from osservatorio.accounts.roles import Role

from .conftest import SCOPED_COMUNE

pytestmark = pytest.mark.django_db
rf = RequestFactory()


def get(user, path="/x/"):
    request = rf.get(path, REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


@roles_required(Role.OPERATORE, Role.OPERATORE_COMUNALE, personal_data=True, comune_scoped=True)
def record_view(request, comune_code):
    check_comune(request.user, comune_code)
    return HttpResponse("ok")


@roles_required(Role.ANALISTA)
@require_POST
def post_only(request):
    return HttpResponse("ok")


@roles_required(Role.ANALISTA, personal_data=True)
class RecordPage(View):
    def get(self, request, pk):
        return HttpResponse(f"record {pk}")


@roles_required(Role.OPERATORE, personal_data=True)
class RecordApi(APIView):
    def get(self, request, pk):
        return Response({"pk": pk})


@public
class OpenApi(APIView):
    def get(self, request):
        return Response({"ok": True})


def test_anonymous_is_sent_to_login(users):
    response = record_view(get(AnonymousUser()), comune_code=SCOPED_COMUNE)
    assert response.status_code == 302
    assert "/account/accedi/?next=/x/" in response["Location"]


def test_role_not_listed_is_refused_and_amministratore_always_allowed(users):
    with pytest.raises(PermissionDenied):
        record_view(get(users[Role.LETTORE]), comune_code=SCOPED_COMUNE)
    with pytest.raises(PermissionDenied):
        record_view(get(users[Role.ANALISTA]), comune_code=SCOPED_COMUNE)
    assert record_view(get(users[Role.AMMINISTRATORE]), comune_code="019001").status_code == 200


def test_comune_scope_of_operatore_comunale(users):
    op = users[Role.OPERATORE_COMUNALE]
    assert user_comune_codes(op) == frozenset({SCOPED_COMUNE})
    assert user_comune_codes(users[Role.OPERATORE]) is None
    assert user_comune_codes(AnonymousUser()) == frozenset()
    assert record_view(get(op), comune_code=SCOPED_COMUNE).status_code == 200
    with pytest.raises(PermissionDenied):
        record_view(get(op), comune_code="019035")
    # Any other role sees every comune.
    assert record_view(get(users[Role.OPERATORE]), comune_code="019035").status_code == 200


def test_superuser_counts_as_amministratore(users):
    lettore = users[Role.LETTORE]
    lettore.is_superuser = True
    lettore.save()
    assert lettore.effective_role == Role.AMMINISTRATORE
    assert lettore.is_amministratore
    assert lettore.comune_codes() is None


def test_personal_data_read_is_logged_with_who_what_where(users):
    op = users[Role.OPERATORE_COMUNALE]
    record_view(get(op, "/dati/019036/"), comune_code=SCOPED_COMUNE)
    entry = AccessLog.objects.get()
    assert (entry.username, entry.role, entry.comune_code) == (
        "op.comunale",
        Role.OPERATORE_COMUNALE,
        "019036",
    )
    assert entry.path == "/dati/019036/"
    assert entry.object_ref == "comune_code=019036"
    assert entry.ip_address == "10.1.2.3"
    assert entry.channel == "web"
    assert entry.status_code == 200


def test_refused_read_is_not_logged_as_a_read(users):
    with pytest.raises(PermissionDenied):
        record_view(get(users[Role.OPERATORE_COMUNALE]), comune_code="019035")
    assert not AccessLog.objects.exists()


def test_policy_is_checked_before_the_method(users):
    assert post_only(get(AnonymousUser())).status_code == 302
    with pytest.raises(PermissionDenied):
        post_only(get(users[Role.LETTORE]))
    assert post_only(get(users[Role.ANALISTA])).status_code == 405


def test_class_based_view_carries_and_enforces_the_policy(users):
    view = RecordPage.as_view()
    policy = get_access_policy(view)
    assert policy is not None and policy.personal_data and Role.ANALISTA in policy.roles
    with pytest.raises(PermissionDenied):
        view(get(users[Role.OPERATORE]), pk=7)
    assert view(get(users[Role.ANALISTA]), pk=7).status_code == 200
    assert AccessLog.objects.get().object_ref == "pk=7"


def test_api_view_refuses_anonymous_with_json_and_logs_reads(users):
    view = RecordApi.as_view()
    assert get_access_policy(view).roles >= {Role.OPERATORE, Role.AMMINISTRATORE}
    anonymous = view(get(AnonymousUser()), pk=3)
    assert anonymous.status_code in (401, 403)
    assert not AccessLog.objects.exists()
    assert view(get(users[Role.LETTORE]), pk=3).status_code == 403
    ok = view(get(users[Role.OPERATORE]), pk=3)
    assert ok.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.channel, entry.object_ref, entry.username) == ("api", "pk=3", "operatore")


def test_public_api_view_is_open(db):
    view = OpenApi.as_view()
    assert get_access_policy(view).public
    assert view(get(AnonymousUser())).status_code == 200


def test_view_without_policy_has_none():
    def bare(request):
        return HttpResponse()

    assert get_access_policy(bare) is None


def test_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown roles"):
        roles_required("segretario")


def test_record_read_from_a_service_names_the_object(users):
    analista = users[Role.ANALISTA]
    scope = users[Role.OPERATORE_COMUNALE].comune_scopes.get()
    entry = record_read(analista, scope)
    assert entry.object_ref == object_reference(scope) == f"accounts.comunescope:{scope.pk}"
    assert entry.channel == "servizio"
    assert entry.ip_address is None
    entry = record_read(analista, object_ref="export:domande-2025", comune_code="019036", what="esportazione")
    assert (entry.object_ref, entry.comune_code, entry.path) == (
        "export:domande-2025",
        "019036",
        "esportazione",
    )


def test_client_address_behind_a_trusted_proxy(settings):
    from osservatorio.accounts.audit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "10.0.0.1"  # no proxy declared: the header is not trusted
    settings.OSSERVATORIO_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # the address our proxy saw, not the forged one
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="garbage")) == "10.0.0.1"


def test_function_api_view_answers_json_and_logs_api_reads(users):
    from rest_framework.decorators import api_view

    @roles_required(Role.ANALISTA, personal_data=True)
    @api_view(["GET"])
    def counts(request):
        return Response({"n": 1})

    anonymous = counts(get(AnonymousUser()))
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"
    assert counts(get(users[Role.LETTORE])).status_code == 403
    assert counts(get(users[Role.ANALISTA])).status_code == 200
    assert AccessLog.objects.get().channel == "api"
