"""DCAT-AP_IT catalogue (JSON-LD) of what the atlas publishes: one dataset per released indicator, with the
sources it is computed from (and their licences), and one per published release for the bulk download.

Every Catalog, Dataset, Distribution and Agent carries the properties that the DCAT-AP_IT profile makes
mandatory (tests/atlas/test_dcat.py checks them on the parsed RDF graph):

- Catalog: dct:title, dct:description, dct:publisher, dct:modified, dcat:dataset (and foaf:homepage,
  dct:language, dcat:themeTaxonomy, recommended);
- Dataset: dct:identifier, dct:title, dct:description, dct:modified, dcat:theme, dct:publisher,
  dct:rightsHolder, dct:accrualPeriodicity, dcat:distribution;
- Distribution: dcat:accessURL, dct:format (EU file-type authority), dct:license (a dct:LicenseDocument);
- Agent (dcatapit:Agent): foaf:name, dct:identifier (the IPA code for the ente, when configured).
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.urls import reverse

from . import selectors

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The Osservatorio's own releases: CC BY 4.0 (the sources' licences are listed per dataset).
OWN_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
FREQUENCY = AUTHORITY + "frequency/ANNUAL"
THEME_SOCIETY = AUTHORITY + "data-theme/SOCI"
THEME_TAXONOMY = AUTHORITY + "data-theme"
FILE_TYPES = {
    "csv": ("CSV", "text/csv"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json"),
    "zip": ("ZIP", "application/zip"),
    "html": ("HTML", "text/html"),
}
# Words of the sources' registry (Italian, free text) → EU frequency authority.
FREQUENCY_WORDS = [
    ("giornalier", "DAILY"),
    ("settimanal", "WEEKLY"),
    ("mensil", "MONTHLY"),
    ("trimestral", "QUARTERLY"),
    ("annual", "ANNUAL"),
    ("una tantum", "NEVER"),
    ("nessuna", "NEVER"),
    ("versione", "IRREG"),
]


def _date(d) -> dict:
    value = d.date() if hasattr(d, "date") else d
    return {"@value": (value or date.today()).isoformat(), "@type": "xsd:date"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "sconosciuto"


def agent(name: str, identifier: str) -> dict:
    return {"@type": ["foaf:Agent", "dcatapit:Agent"], "foaf:name": name, "dct:identifier": identifier}


def licence(url: str, name: str = "") -> dict:
    out = {"@type": "dct:LicenseDocument"}
    if url:
        out["@id"] = url
    if name:
        out["foaf:name"] = name
    return out


def file_type(fmt: str) -> dict:
    return {"@id": AUTHORITY + "file-type/" + FILE_TYPES[fmt][0]}


def frequency_of(text: str) -> str:
    low = (text or "").lower()
    for word, code in FREQUENCY_WORDS:
        if word in low:
            return AUTHORITY + "frequency/" + code
    return AUTHORITY + "frequency/UNKNOWN"


def distribution(fmt: str, access_url: str, licence_doc: dict, download_url: str | None = None) -> dict:
    out = {
        "@type": ["dcat:Distribution", "dcatapit:Distribution"],
        "dct:format": file_type(fmt),
        "dcat:mediaType": FILE_TYPES[fmt][1],
        "dct:license": licence_doc,
        "dcat:accessURL": {"@id": access_url},
    }
    if download_url:
        out["dcat:downloadURL"] = {"@id": download_url}
    return out


def _source_datasets(base_url: str) -> dict[str, dict]:
    from django.db.models import Max

    from osservatorio.sources.models import Dataset

    loaded = dict(
        Dataset.objects.annotate(m=Max("releases__loaded_at")).values_list("key", "m"),
    )
    out = {}
    for ds in Dataset.objects.select_related("source"):
        s = ds.source
        owner = agent(s.publisher, _slug(s.publisher))
        doc = licence(s.licence_url, s.licence)
        # The publisher's own page (or file): the Osservatorio does not redistribute the sources.
        access = s.url or s.download_url or base_url + reverse("atlas:releases")
        out[ds.key] = {
            "@id": f"{base_url}{reverse('atlas:index')}fonti/{ds.key}",
            "@type": ["dcat:Dataset", "dcatapit:Dataset"],
            "dct:identifier": ds.key,
            "dct:title": {"@language": "it", "@value": ds.title},
            "dct:description": {
                "@language": "it",
                "@value": f"{ds.title}: {s.name} ({s.publisher})."
                + (f" {s.coverage}." if s.coverage else ""),
            },
            "dct:modified": _date(loaded.get(ds.key)),
            "dcat:theme": {"@id": THEME_SOCIETY},
            "dct:publisher": owner,
            "dct:rightsHolder": owner,
            "dct:accrualPeriodicity": {"@id": frequency_of(s.frequency)},
            "dct:rights": s.licence,
            "dcat:landingPage": {"@id": s.url} if s.url else None,
            "dcat:distribution": distribution("html", access, doc),
        }
    return out


def catalogue(base_url: str) -> dict:
    conf = settings.OSSERVATORIO
    ente = conf.get("ENTE_NAME", "")
    publisher = agent(ente, conf.get("ENTE_IPA_CODE") or _slug(ente))
    own = licence(OWN_LICENCE, "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)")
    sources_out = _source_datasets(base_url)
    releases = list(selectors.published_releases()[:20])
    created = {r.pk: r.created_at for r in releases}
    entries = []
    rel = selectors.release_of_indicators()
    for ind in selectors.released_indicators():
        detail = base_url + reverse("atlas:indicator", args=[ind.code])
        rid = rel.get(ind.code)
        modified = created.get(rid)
        if modified is None and rid is not None:
            from osservatorio.indicators.models import Release

            modified = Release.objects.filter(pk=rid).values_list("created_at", flat=True).first()
        entries.append(
            {
                "@id": detail,
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": f"osservatorio:{ind.code}",
                "dct:title": [
                    {"@language": "it", "@value": ind.title_it},
                    {"@language": "en", "@value": ind.title_en},
                ],
                "dct:description": [
                    {"@language": "it", "@value": ind.definition_it or ind.title_it},
                    {"@language": "en", "@value": ind.definition_en or ind.title_en},
                ],
                "dct:modified": _date(modified),
                "dct:publisher": publisher,
                "dct:rightsHolder": publisher,
                "dct:accrualPeriodicity": {"@id": FREQUENCY},
                "dcat:theme": {"@id": THEME_SOCIETY},
                "dcat:keyword": [ind.get_domain_display()],
                "dct:source": [{"@id": sources_out[k]["@id"]} for k in ind.sources if k in sources_out],
                "dcat:landingPage": {"@id": detail},
                "dct:isVersionOf": f"rilascio-{rid}",
                "dcat:distribution": [
                    distribution(fmt, base_url + reverse("atlas:indicator_data", args=[ind.code, fmt]), own)
                    for fmt in ("csv", "xlsx", "json")
                ],
            }
        )
    releases_page = base_url + reverse("atlas:releases")
    for r in releases:
        bulk = base_url + reverse("atlas:release_bulk", args=[r.pk])
        entries.append(
            {
                "@id": bulk,
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": f"osservatorio:rilascio-{r.pk}",
                "dct:title": {"@language": "it", "@value": f"Tutti i valori del rilascio {r.pk}"},
                "dct:description": {
                    "@language": "it",
                    "@value": (
                        f"Tutti i valori pubblicati nel rilascio {r.pk} degli indicatori dell'Osservatorio "
                        "(dopo il controllo della riservatezza), in un archivio ZIP con un file CSV e le note."
                    ),
                },
                "dct:issued": _date(r.created_at),
                "dct:modified": _date(r.created_at),
                "dct:publisher": publisher,
                "dct:rightsHolder": publisher,
                "dct:accrualPeriodicity": {"@id": AUTHORITY + "frequency/IRREG"},
                "dcat:theme": {"@id": THEME_SOCIETY},
                "dcat:distribution": distribution("zip", releases_page, own, download_url=bulk),
            }
        )
    newest = max((r.created_at for r in releases), default=None)
    return {
        "@context": CONTEXT,
        "@id": base_url + reverse("atlas:catalogue"),
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": {"@language": "it", "@value": f"Osservatorio — {ente}"},
        "dct:description": {
            "@language": "it",
            "@value": "Indicatori di povertà e fragilità rilasciati dall'Osservatorio, con le fonti e le licenze.",
        },
        "dct:publisher": publisher,
        "dct:modified": _date(newest),
        "foaf:homepage": {"@id": base_url + reverse("atlas:index")},
        "dct:language": {"@id": AUTHORITY + "language/ITA"},
        "dcat:themeTaxonomy": {"@id": THEME_TAXONOMY},
        "dcat:dataset": entries + list(sources_out.values()),
    }
