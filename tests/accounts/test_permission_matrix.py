"""The permission matrix: every URL of the project, requested as every role, against its declared policy.

Each view declares who may open it (`public` or `roles_required`, see osservatorio.accounts.access);
this test walks the whole URLconf (Django admin, i18n and static files aside), builds each URL with the
sample arguments that the apps give in `AppConfig.permission_matrix_samples()`, and checks:

- a view without a declared policy fails the test, naming the URL;
- a URL with parameters and no sample fails, naming the AppConfig to extend;
- public: nobody is refused (403) or sent to the login page;
- restricted: anonymous visitors go to the login page (an API answers 401/403), the roles of the policy
  are let in, every other role gets 403; the policy is checked before the method (405 counts as let in);
- comune-scoped: the operatore comunale (scoped to one comune) gets 403 on a sample of another comune;
- personal data: a successful read is written in the AccessLog;
- nothing answers 500, to GET or to an empty POST, whoever asks.

Samples: {"app:url_name": {kwarg: value}} or a list of such dicts. The reserved key "_comune" names the
comune the sample's object belongs to (stripped before building the URL); without it the comune is read
from a kwarg named comune_code / comune / code holding a six-digit ISTAT code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from osservatorio.accounts.access import AccessPolicy, get_access_policy, is_api_view
from osservatorio.accounts.models import AccessLog
from osservatorio.accounts.roles import Role

from .conftest import MODEL_BACKEND, SCOPED_COMUNE, make_user

EXCLUDED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")
ROLES = [
    None,  # anonymous
    Role.LETTORE,
    Role.OPERATORE,
    Role.OPERATORE_COMUNALE,
    Role.ANALISTA,
    Role.AMMINISTRATORE,
]
COMUNE_KWARGS = ("comune_code", "comune", "code")
# DRF's format-suffix routes: any sample works for the permission check.
DEFAULT_KWARGS = {"format": "json"}


@dataclass
class Route:
    route: str
    name: str | None
    callback: object
    has_params: bool


@dataclass
class Target:
    url: str
    name: str
    policy: AccessPolicy
    api: bool
    comune: str | None = None
    notes: list[str] = field(default_factory=list)


def _pattern_text(pattern) -> str:
    return str(pattern.pattern)


def walk(resolver=None, prefix: str = "", namespace: str = "", has_params: bool = False):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        text = _pattern_text(p)
        route = prefix + text
        params = has_params or bool(p.pattern.regex.groupindex) or "<" in text
        if isinstance(p, URLResolver):
            if route.lstrip("^").startswith(EXCLUDED_PREFIXES):
                continue
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p, route, ns, params)
        elif isinstance(p, URLPattern):
            if route.lstrip("^").startswith(EXCLUDED_PREFIXES):
                continue
            name = None
            if p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
            yield Route(route=route, name=name, callback=p.callback, has_params=params)


def role_label(role) -> str:
    return role or "anonimo"


# --- no database needed ---------------------------------------------------------------------------------


def test_every_view_declares_an_access_policy():
    missing = [
        f"  {r.route}  ({r.name or 'senza nome'}, {getattr(r.callback, '__module__', '?')}."
        f"{getattr(r.callback, '__name__', '?')})"
        for r in walk()
        if get_access_policy(r.callback) is None
    ]
    assert not missing, (
        "Viste senza politica di accesso: decorarle con @public o @roles_required(...) "
        "(osservatorio.accounts.access), con il decoratore di politica più esterno:\n" + "\n".join(missing)
    )


def test_every_url_has_a_name():
    unnamed = [r.route for r in walk() if r.name is None]
    assert not unnamed, "URL senza name=: la matrice dei permessi non può costruirli:\n" + "\n".join(unnamed)


def test_the_walk_sees_the_whole_project():
    names = {r.name for r in walk()}
    # Spot checks that includes are followed and exclusions applied.
    assert {"core:home", "accounts:login", "accounts:audit", "accounts:user_edit"} <= names
    assert not any(r.route.startswith("admin/") for r in walk())


# --- with the database: samples, users and requests -----------------------------------------------------


def load_samples() -> tuple[dict[str, list[dict]], list[str]]:
    samples: dict[str, list[dict]] = {}
    problems: list[str] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "permission_matrix_samples", None)
        if hook is None:
            continue
        try:
            with transaction.atomic():  # a savepoint: a failed hook leaves the database usable
                given = hook() or {}
        except Exception as e:  # one broken hook must not hide the matrix of every other app
            problems.append(f"{config.__class__.__name__}.permission_matrix_samples() ha sollevato {e!r}")
            continue
        for name, value in given.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if not isinstance(item, dict):
                    problems.append(f"{config.__class__.__name__}: il campione di {name} non è un dict")
                    continue
                samples.setdefault(name, []).append(item)
    return samples, problems


def owning_config(name: str) -> str:
    namespace = name.split(":")[0]
    for config in apps.get_app_configs():
        if config.label == namespace or config.name.rsplit(".", 1)[-1] == namespace:
            return f"{config.__class__.__module__}.{config.__class__.__name__}"
    return f"l'AppConfig dell'app «{namespace}»"


def comune_of(kwargs: dict, declared: str | None) -> str | None:
    if declared:
        return str(declared)
    for key in COMUNE_KWARGS:
        value = kwargs.get(key)
        if isinstance(value, str) and len(value) == 6 and value.isdigit():
            return value
    return None


@pytest.fixture
def targets(request, db) -> tuple[list[Target], list[str]]:
    try:
        request.getfixturevalue("territory_cremona")
    except (ImportError, AttributeError) as e:  # territory not built yet: samples must cope
        print(f"territorio non caricato: {e}")
    samples, problems = load_samples()
    out: list[Target] = []
    for r in walk():
        policy = get_access_policy(r.callback)
        if policy is None or r.name is None:
            continue  # reported by the tests above
        api = is_api_view(r.callback)
        given = samples.get(r.name)
        if not given:
            try:
                out.append(Target(reverse(r.name), r.name, policy, api))
                continue
            except NoReverseMatch:
                pass
            try:
                out.append(Target(reverse(r.name, kwargs=DEFAULT_KWARGS), r.name, policy, api))
                continue
            except NoReverseMatch:
                problems.append(
                    f"{r.route} ({r.name}) ha parametri ma nessun campione: aggiungere "
                    f'{{"{r.name}": {{...}}}} a permission_matrix_samples() di {owning_config(r.name)}'
                )
                continue
        for item in given:
            kwargs = {k: v for k, v in item.items() if not k.startswith("_")}
            try:
                url = reverse(r.name, kwargs=kwargs)
            except NoReverseMatch:
                try:
                    url = reverse(r.name, kwargs={**DEFAULT_KWARGS, **kwargs})
                except NoReverseMatch:
                    problems.append(f"{r.name}: il campione {item} non costruisce l'URL {r.route}")
                    continue
            out.append(Target(url, r.name, policy, api, comune_of(kwargs, item.get("_comune"))))
    return out, problems


@pytest.fixture
def role_users(db) -> dict:
    return {
        Role.LETTORE: make_user("matrice.lettore", Role.LETTORE),
        Role.OPERATORE: make_user("matrice.operatore", Role.OPERATORE),
        Role.OPERATORE_COMUNALE: make_user("matrice.opcom", Role.OPERATORE_COMUNALE, [SCOPED_COMUNE]),
        Role.ANALISTA: make_user("matrice.analista", Role.ANALISTA),
        Role.AMMINISTRATORE: make_user("matrice.amministratore", Role.AMMINISTRATORE),
    }


def client_for(role, role_users) -> Client:
    # Exceptions become 500 responses here, so that one broken view is reported with all the others.
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(role_users[role], backend=MODEL_BACKEND)
    return client


def login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return response["Location"].split("?")[0] == reverse(settings.LOGIN_URL)


def expectation_problems(target: Target, role, response) -> list[str]:
    status = response.status_code
    who = role_label(role)
    where = f"{target.url} ({target.name}) come {who}: {status}"
    policy = target.policy
    if status >= 500:
        return [f"{where} — errore del server"]
    if policy.public:
        if status == 403 or login_redirect(response):
            return [f"{where} — pagina pubblica rifiutata"]
        return []
    if role is None:
        ok = status in (401, 403) if target.api else login_redirect(response)
        expected = "401/403" if target.api else "rinvio alla pagina di accesso"
        return [] if ok else [f"{where} — atteso {expected}"]
    if role not in policy.roles:
        return [] if status == 403 else [f"{where} — atteso 403 (ruoli ammessi: {sorted(policy.roles)})"]
    scoped_out = (
        policy.comune_scoped
        and role == Role.OPERATORE_COMUNALE
        and target.comune is not None
        and target.comune != SCOPED_COMUNE
    )
    if scoped_out:
        return (
            []
            if status == 403
            else [f"{where} — atteso 403: il comune {target.comune} è fuori dall'ambito dell'utente"]
        )
    if status == 403 or login_redirect(response):
        return [f"{where} — ruolo ammesso ma rifiutato"]
    return []


def test_every_url_with_parameters_has_a_sample(targets):
    found, problems = targets
    assert not problems, "Campioni mancanti o errati:\n" + "\n".join(f"  {p}" for p in problems)


@pytest.mark.parametrize("role", ROLES, ids=role_label)
def test_permission_matrix(targets, role_users, role):
    # URLs without a usable sample are reported by the test above and skipped here.
    found, _missing = targets
    problems: list[str] = []
    assert found, "nessun URL trovato"
    client = client_for(role, role_users)
    for target in found:
        response = client.get(target.url)
        problems += expectation_problems(target, role, response)
    assert not problems, "Matrice dei permessi:\n" + "\n".join(f"  {p}" for p in problems)


def test_no_url_returns_a_server_error(targets, role_users):
    found, _missing = targets
    problems: list[str] = []
    for role in ROLES:
        client = client_for(role, role_users)
        for target in found:
            for method in ("get", "post"):
                response = getattr(client, method)(target.url)
                if response.status_code >= 500:
                    problems.append(
                        f"{method.upper()} {target.url} ({target.name}) come {role_label(role)}: "
                        f"{response.status_code}"
                    )
                if method == "post" and role is not None and "_auth_user_id" not in client.session:
                    # That POST was the logout: log in again for the next URL.
                    client = client_for(role, role_users)
    assert not problems, "Errori del server:\n" + "\n".join(f"  {p}" for p in problems)


def test_personal_data_reads_are_logged(targets, role_users):
    found, _missing = targets
    problems: list[str] = []
    client = client_for(Role.AMMINISTRATORE, role_users)
    checked = 0
    for target in found:
        if target.policy.public or not target.policy.personal_data:
            continue
        before = AccessLog.objects.count()
        response = client.get(target.url)
        if response.status_code != 200:
            continue
        checked += 1
        entry = AccessLog.objects.order_by("-pk").first()
        if AccessLog.objects.count() != before + 1 or entry.username != "matrice.amministratore":
            problems.append(f"{target.url} ({target.name}): lettura di dati personali non registrata")
    assert checked, "nessuna vista con dati personali verificata"
    assert not problems, "\n".join(problems)


# --- the matrix itself can fail -------------------------------------------------------------------------


def test_walk_reports_a_view_without_policy():
    from django.http import HttpResponse
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern

    def forgotten(request):
        return HttpResponse()

    declared = AccessPolicy(public=True)

    def ok(request):
        return HttpResponse()

    ok.access_policy = declared
    resolver = URLResolver(
        RegexPattern(r"^/"),
        [
            path("ok/", ok, name="ok"),
            path("app/", include(([path("<int:pk>/", forgotten, name="x")], "app"))),
        ],
    )
    routes = {r.name: r for r in walk(resolver)}
    assert get_access_policy(routes["app:x"].callback) is None
    assert routes["app:x"].has_params and not routes["ok"].has_params


class FakeResponse(dict):
    def __init__(self, status, location=None):
        super().__init__()
        self.status_code = status
        if location:
            self["Location"] = location


def restricted(**kw) -> AccessPolicy:
    return AccessPolicy(public=False, roles=frozenset({Role.OPERATORE_COMUNALE, Role.AMMINISTRATORE}), **kw)


def test_expectations_catch_leaks_and_wrong_refusals(db):
    login = reverse(settings.LOGIN_URL) + "?next=/x/"
    page = Target("/x/", "app:x", restricted(), api=False)
    assert expectation_problems(page, None, FakeResponse(302, login)) == []
    assert expectation_problems(page, None, FakeResponse(200))  # anonymous let in
    assert expectation_problems(page, Role.LETTORE, FakeResponse(200))  # role not in policy let in
    assert expectation_problems(page, Role.LETTORE, FakeResponse(403)) == []
    assert expectation_problems(page, Role.OPERATORE_COMUNALE, FakeResponse(403))  # allowed role refused
    assert expectation_problems(page, Role.OPERATORE_COMUNALE, FakeResponse(405)) == []
    assert expectation_problems(page, Role.AMMINISTRATORE, FakeResponse(500))
    public_page = Target("/p/", "app:p", AccessPolicy(public=True), api=False)
    assert expectation_problems(public_page, None, FakeResponse(302, login))
    assert expectation_problems(public_page, Role.LETTORE, FakeResponse(403))
    api = Target("/api/x/", "app:api", restricted(), api=True)
    assert expectation_problems(api, None, FakeResponse(401)) == []
    assert expectation_problems(api, None, FakeResponse(302, login))


def test_expectations_enforce_comune_scope(db):
    other = Target("/r/1/", "app:r", restricted(comune_scoped=True), api=False, comune="019035")
    own = Target("/r/2/", "app:r", restricted(comune_scoped=True), api=False, comune=SCOPED_COMUNE)
    assert expectation_problems(other, Role.OPERATORE_COMUNALE, FakeResponse(200))  # scope leak
    assert expectation_problems(other, Role.OPERATORE_COMUNALE, FakeResponse(403)) == []
    assert expectation_problems(other, Role.AMMINISTRATORE, FakeResponse(200)) == []
    assert expectation_problems(own, Role.OPERATORE_COMUNALE, FakeResponse(200)) == []
    assert comune_of({"pk": 3}, "019035") == "019035"
    assert comune_of({"comune_code": "019036"}, None) == "019036"
    assert comune_of({"code": "AMB-CREMONESE"}, None) is None
