"""Catalogue, screening and case pages through the Django test client, with the real catalogue file."""

import re
from datetime import date

import pytest
from django.urls import reverse

from osservatorio.accounts.models import AccessLog
from osservatorio.accounts.roles import Role
from osservatorio.measures.models import Measure, ScreeningCase
from osservatorio.measures.services import load_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    return load_catalogue()


def make_user(django_user_model, role, comuni=()):
    user = django_user_model.objects.create_user(username=f"u-{role}", password="x", role=role)
    for code in comuni:
        user.comune_scopes.create(comune_code=code)
    return user


def household_post(**overrides):
    data = {
        "nucleo-data_riferimento": "2024-06-01",
        "nucleo-comune_residenza": "019036",
        "nucleo-cittadinanza": "italiana_ue",
        "nucleo-anni_residenza_italia": "10",
        "nucleo-residenza_continuativa": "1",
        "nucleo-isee": "3000",
        "nucleo-reddito_familiare": "0",
        "nucleo-patrimonio_mobiliare": "4000",
        "nucleo-patrimonio_immobiliare": "0",
        "nucleo-valore_casa": "90000",
        "nucleo-alloggio": "proprieta",
        "componenti-TOTAL_FORMS": "4",
        "componenti-INITIAL_FORMS": "0",
        "componenti-MIN_NUM_FORMS": "1",
        "componenti-MAX_NUM_FORMS": "12",
    }
    members = [("richiedente", 40), ("coniuge", 38), ("figlio", 6), ("figlio", 9)]
    for i, (rel, age) in enumerate(members):
        data[f"componenti-{i}-relazione"] = rel
        data[f"componenti-{i}-eta"] = str(age)
        data[f"componenti-{i}-disabilita"] = "nessuna"
        data[f"componenti-{i}-scuola"] = "nessuna"
    data.update(overrides)
    return data


def test_catalogue_loads_every_measure_and_is_idempotent(catalogue):
    assert catalogue.created >= 30
    again = load_catalogue()
    assert again.created == 0 and again.updated == 0
    adi = Measure.objects.get(slug="adi")
    assert adi.predecessor.slug == "rdc" and adi.predecessor.predecessor.slug == "rei"
    assert {m.slug for m in Measure.objects.get(slug="rdc").successors.all()} >= {"adi", "sfl"}
    assert adi.facts.filter(reliability="V").exists()


def test_demo_load_keeps_analyst_edits(catalogue):
    Measure.objects.filter(slug="adi").update(office="Sportello di prova")
    load_catalogue(overwrite=False)
    assert Measure.objects.get(slug="adi").office == "Sportello di prova"


def test_catalogue_filters(client, catalogue):
    page = client.get(reverse("measures:catalogue"), {"livello": "regione"}).content.decode()
    assert "Nidi Gratis" in page and "Assegno di inclusione" not in page
    page = client.get(reverse("measures:catalogue"), {"anno": "2020"}).content.decode()
    assert "Reddito di emergenza" in page and "Assegno di inclusione" not in page
    page = client.get(reverse("measures:catalogue"), {"destinatari": "casa"}).content.decode()
    assert "Misura Unica" in page and "Carta acquisti" not in page


def test_measure_page_shows_uncertainty_parameters_and_chain(client, catalogue):
    page = client.get(reverse("measures:detail", args=["adi"])).content.decode()
    assert "circolare INPS 105/2023" in page  # uncertainty of the ADI scale
    assert "soglia_isee" in page and "10.140" in page  # dated parameters from the rules
    assert reverse("measures:detail", args=["rdc"]) in page
    assert client.get(reverse("measures:detail", args=["non-esiste"])).status_code == 404


def test_timeline_has_chart_spec_and_table(client, catalogue):
    page = client.get(reverse("measures:timeline")).content.decode()
    assert 'id="timeline-spec"' in page and "vega-embed.min.js" in page
    assert "<caption>" in page and "Reddito di emergenza" in page


def test_analista_edits_with_history(client, django_user_model, catalogue):
    client.force_login(make_user(django_user_model, Role.ANALISTA))
    url = reverse("measures:edit", args=["adi"])
    form_page = client.get(url)
    assert form_page.status_code == 200
    measure = Measure.objects.get(slug="adi")
    data = {k: v for k, v in form_page.context["form"].initial.items() if v is not None}
    data.update(
        {
            "office": "Via Roma 1, Cremona",
            "valid_from": "2024-01-01",
            "valid_to": "",
            "target_groups": [g.pk for g in measure.target_groups.all()],
            "predecessor": measure.predecessor_id,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Measure.objects.get(slug="adi").office == "Via Roma 1, Cremona"
    page = client.get(reverse("measures:detail", args=["adi"])).content.decode()
    assert "Cronologia delle modifiche" in page and "office" in page
    bad = dict(data, valid_to="2020-01-01")
    assert "La data di fine non può precedere" in client.post(url, bad).content.decode()


def test_lettore_cannot_edit_or_screen(client, django_user_model, catalogue):
    client.force_login(make_user(django_user_model, Role.LETTORE))
    assert client.get(reverse("measures:edit", args=["adi"])).status_code == 403
    assert client.get(reverse("measures:screening")).status_code == 403


def test_screening_answers_every_measure_without_storing(client, django_user_model, catalogue):
    client.force_login(make_user(django_user_model, Role.OPERATORE))
    response = client.post(reverse("measures:screening"), household_post())
    page = response.content.decode()
    results = response.context["results"]
    by_key = {item["result"].key: item["result"] for item in results}
    assert by_key["adi"].status == "si" and str(by_key["adi"].amount) == "650.00"
    assert by_key["rdc"].status == "non_attiva"
    assert "650,00 €" in page and "Come fare domanda" in page and "Patto di attivazione" in page
    assert ScreeningCase.objects.count() == 0


def test_screening_bad_input_is_reported_per_field(client, django_user_model, catalogue):
    client.force_login(make_user(django_user_model, Role.OPERATORE))
    page = client.post(
        reverse("measures:screening"),
        household_post(
            **{"componenti-2-eta": "45", "nucleo-isee": "-5", "nucleo-data_riferimento": "2010-01-01"}
        ),
    ).content.decode()
    assert "Il valore non può essere negativo" in page
    assert "scegliere una data in questo intervallo" in page
    page = client.post(
        reverse("measures:screening"), household_post(**{"componenti-2-eta": "45"})
    ).content.decode()
    assert "Un figlio di 45 anni con un richiedente di 40 anni non è possibile" in page
    # The message sits on the member's own field, as markup (not escaped text).
    assert 'id="id_componenti-2-eta-err" role="alert">Un figlio di 45 anni' in page
    page = client.post(
        reverse("measures:screening"),
        household_post(**{"nucleo-isr": "21600", "nucleo-isp": "5000", "nucleo-isee": "3000"}),
    ).content.decode()
    assert "non è coerente con ISR e ISP" in page
    page = client.post(
        reverse("measures:screening"), household_post(**{"componenti-3-eta": "1"})
    ).content.decode()
    assert "Per i bambini sotto i 3 anni indicare la data di nascita" in page
    # The same checks in English (the engine's messages are translated by the page).
    client.cookies["django_language"] = "en"
    page = client.post(
        reverse("measures:screening"), household_post(**{"componenti-2-eta": "45"})
    ).content.decode()
    assert (
        'id="id_componenti-2-eta-err" role="alert">A 45-year-old child with a 40-year-old applicant' in page
    )
    page = client.post(
        reverse("measures:screening"),
        household_post(**{"nucleo-isr": "21600", "nucleo-isp": "5000", "nucleo-isee": "3000"}),
    ).content.decode()
    assert "is not consistent with ISR and ISP" in page and "3.000,00 €" in page


def test_saving_a_case_is_personal_data_scoped_and_logged(client, django_user_model, catalogue):
    user = make_user(django_user_model, Role.OPERATORE_COMUNALE, comuni=["019036"])
    client.force_login(user)
    response = client.post(reverse("measures:screening"), household_post())
    token = response.context["token"]
    saved = client.post(reverse("measures:case_save"), {"token": token, "note": "prima visita"})
    case = ScreeningCase.objects.get()
    assert saved.status_code == 302 and case.comune_code == "019036" and case.created_by == user
    assert AccessLog.objects.filter(username=user.username).exists()
    assert client.get(case.get_absolute_url()).status_code == 200
    other = ScreeningCase.objects.create(
        comune_code="019035", reference_date=date(2024, 6, 1), household={}, results=[], created_by=user
    )
    assert client.get(other.get_absolute_url()).status_code == 403
    # Another comune's household cannot be saved by this operator.
    token_other = client.post(
        reverse("measures:screening"), household_post(**{"nucleo-comune_residenza": "019035"})
    ).context["token"]
    assert client.post(reverse("measures:case_save"), {"token": token_other}).status_code == 403
    assert client.post(reverse("measures:case_save"), {"token": "manomesso"}).status_code == 302
    assert ScreeningCase.objects.count() == 2


def test_printable_summary_has_print_styles(client, django_user_model, catalogue):
    client.force_login(make_user(django_user_model, Role.OPERATORE))
    page = client.post(reverse("measures:screening"), household_post()).content.decode()
    assert "window.print()" in page and "measures.css" in page
    assert re.search(r'class="print-only"', page)


def test_cli_loads_catalogue_and_reports_bad_month(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("misure", "catalogo")
    assert "nuove" in capsys.readouterr().out and Measure.objects.count() >= 30
    with pytest.raises(CommandError, match="AAAA-MM"):
        call_command("misure", "stima", "--ambito", "AMB-CREMONESE", "--mese", "giugno")


def test_load_demo_is_idempotent():
    import io

    from django.apps import apps

    config = apps.get_app_config("measures")
    out = io.StringIO()
    config.load_demo(out)
    config.load_demo(out)
    text = out.getvalue()
    assert "Misure: catalogo caricato (32 nuove" in text and "(0 nuove, 32 già presenti" in text
    assert Measure.objects.count() == 32


def test_outcome_words_are_translated_on_the_screening_and_the_saved_case(
    client, django_user_model, catalogue
):
    client.force_login(make_user(django_user_model, Role.OPERATORE, comuni=["019036"]))
    client.cookies["django_language"] = "en"
    page = client.post(reverse("measures:screening"), household_post()).content.decode()
    assert "likely yes" in page and "likely no" in page
    assert "probabilmente sì" not in page
    # Requirement texts (from the rules) and units are translated too.
    assert "resident in Italy for at least 5 years, the last 2 continuously" in page
    assert "650,00 €</strong> a month" in page
    unknown = client.post(
        reverse("measures:screening"), household_post(**{"nucleo-cittadinanza": "non_nota"})
    )
    assert "Applicant&#x27;s citizenship or residence permit" in unknown.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(reverse("measures:case_save"), {"token": token}, follow=True)
    case_page = response.content.decode()
    assert "likely yes" in case_page and "met:" in case_page
    assert "€ €" not in case_page and "650,00 € " in case_page  # ADI amount formatted once, Italian style
    assert ">si<" not in case_page and ">da_verificare<" not in case_page
    del client.cookies["django_language"]
    italian = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "probabilmente sì" in italian and "soddisfatto:" in italian
