"""DCAT-AP_IT catalogue (JSON-LD) of what the atlas publishes: one dataset per released indicator, with the
sources it is computed from (and their licences), and one per published release for the bulk download."""

from __future__ import annotations

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
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"


def catalogue(base_url: str) -> dict:
    from osservatorio.sources.models import Dataset

    conf = settings.OSSERVATORIO
    publisher = {
        "@type": ["foaf:Agent", "dcatapit:Agent"],
        "foaf:name": conf.get("ENTE_NAME", ""),
        "dct:identifier": conf.get("ENTE_IPA_CODE", conf.get("ENTE_NAME", "")),
    }
    datasets_by_key = {d.key: d for d in Dataset.objects.select_related("source")}
    sources_out = {}
    for ds in datasets_by_key.values():
        s = ds.source
        sources_out[ds.key] = {
            "@id": f"{base_url}{reverse('atlas:index')}fonti/{ds.key}",
            "@type": ["dcat:Dataset", "dcatapit:Dataset"],
            "dct:identifier": ds.key,
            "dct:title": {"@language": "it", "@value": ds.title},
            "dct:publisher": {"@type": "foaf:Agent", "foaf:name": s.publisher},
            "dct:license": {"@id": s.licence_url} if s.licence_url else s.licence,
            "dct:rights": s.licence,
            "dcat:landingPage": {"@id": s.url} if s.url else None,
            "dct:accrualPeriodicity": s.frequency,
        }
    entries = []
    rel = selectors.release_of_indicators()
    for ind in selectors.released_indicators():
        detail = base_url + reverse("atlas:indicator", args=[ind.code])
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
                    {"@language": "it", "@value": ind.definition_it},
                    {"@language": "en", "@value": ind.definition_en},
                ],
                "dct:publisher": publisher,
                "dcatapit:rightsHolder": publisher,
                "dct:accrualPeriodicity": {"@id": FREQUENCY},
                "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"},
                "dcat:keyword": [ind.get_domain_display()],
                "dct:source": [{"@id": sources_out[k]["@id"]} for k in ind.sources if k in sources_out],
                "dcat:landingPage": {"@id": detail},
                "dct:isVersionOf": f"rilascio-{rel.get(ind.code)}",
                "dcat:distribution": [
                    {
                        "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                        "dct:format": fmt.upper(),
                        "dcat:mediaType": media,
                        "dct:license": {"@id": OWN_LICENCE},
                        "dcat:accessURL": {
                            "@id": base_url + reverse("atlas:indicator_data", args=[ind.code, fmt])
                        },
                    }
                    for fmt, media in (
                        ("csv", "text/csv"),
                        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                        ("json", "application/json"),
                    )
                ],
            }
        )
    for r in selectors.published_releases()[:20]:
        entries.append(
            {
                "@id": base_url + reverse("atlas:release_bulk", args=[r.pk]),
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": f"osservatorio:rilascio-{r.pk}",
                "dct:title": {"@language": "it", "@value": f"Tutti i valori del rilascio {r.pk}"},
                "dct:issued": {"@value": r.created_at.date().isoformat(), "@type": "xsd:date"},
                "dct:publisher": publisher,
                "dcat:distribution": {
                    "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                    "dct:format": "ZIP",
                    "dct:license": {"@id": OWN_LICENCE},
                    "dcat:downloadURL": {"@id": base_url + reverse("atlas:release_bulk", args=[r.pk])},
                },
            }
        )
    return {
        "@context": CONTEXT,
        "@id": base_url + reverse("atlas:catalogue"),
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": {"@language": "it", "@value": f"Osservatorio — {conf.get('ENTE_NAME', '')}"},
        "dct:description": {
            "@language": "it",
            "@value": "Indicatori di povertà e fragilità rilasciati dall'Osservatorio, con le fonti e le licenze.",
        },
        "dct:publisher": publisher,
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ITA"},
        "dcat:dataset": entries + list(sources_out.values()),
    }
