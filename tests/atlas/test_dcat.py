"""The DCAT-AP_IT catalogue, parsed as RDF (rdflib reads the JSON-LD), against the mandatory classes and
properties of the DCAT-AP_IT profile (AgID, "Profilo nazionale dei metadati DCAT-AP_IT"):

- dcatapit:Catalog — dct:title, dct:description, dct:publisher, dct:modified, dcat:dataset;
- dcatapit:Dataset — dct:identifier, dct:title, dct:description, dct:modified, dcat:theme, dct:publisher,
  dct:rightsHolder, dct:accrualPeriodicity, dcat:distribution;
- dcatapit:Distribution — dcat:accessURL, dct:format, dct:license (a dct:LicenseDocument);
- dcatapit:Agent (every publisher and rights holder) — foaf:name, dct:identifier.

The checker fails naming the node and the missing property; it is run once on the real catalogue and once on
a copy with a property removed, so that it is known to catch an omission.
"""

import copy
import json

import pytest
from django.urls import reverse
from rdflib import RDF, Graph, Literal, Namespace, URIRef

# Plain namespaces (rdflib's closed ones warn when pytest inspects the module).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

pytestmark = pytest.mark.django_db

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
MANDATORY = {
    DCATAPIT["Catalog"]: [
        DCTERMS["title"],
        DCTERMS["description"],
        DCTERMS["publisher"],
        DCTERMS["modified"],
        DCAT["dataset"],
    ],
    DCATAPIT["Dataset"]: [
        DCTERMS["identifier"],
        DCTERMS["title"],
        DCTERMS["description"],
        DCTERMS["modified"],
        DCAT["theme"],
        DCTERMS["publisher"],
        DCTERMS["rightsHolder"],
        DCTERMS["accrualPeriodicity"],
        DCAT["distribution"],
    ],
    DCATAPIT["Distribution"]: [DCAT["accessURL"], DCTERMS["format"], DCTERMS["license"]],
    DCATAPIT["Agent"]: [FOAF["name"], DCTERMS["identifier"]],
}


def problems(graph: Graph) -> list[str]:
    out = []
    for cls, props in MANDATORY.items():
        nodes = set(graph.subjects(RDF.type, cls))
        if cls == DCATAPIT["Catalog"] and len(nodes) != 1:
            out.append(f"{len(nodes)} cataloghi invece di 1")
        for node in nodes:
            for prop in props:
                values = [v for v in graph.objects(node, prop) if not (isinstance(v, Literal) and not str(v))]
                if not values:
                    out.append(
                        f"{cls.n3(graph.namespace_manager)} {node}: manca {prop.n3(graph.namespace_manager)}"
                    )
    # Agents are typed: every publisher and rights holder must be a dcatapit:Agent (checked above).
    for prop in (DCTERMS["publisher"], DCTERMS["rightsHolder"]):
        for agent in graph.objects(None, prop):
            if (agent, RDF.type, DCATAPIT["Agent"]) not in graph:
                out.append(f"{prop.n3(graph.namespace_manager)} {agent} non è un dcatapit:Agent")
    for dist in graph.subjects(RDF.type, DCATAPIT["Distribution"]):
        for lic in graph.objects(dist, DCTERMS["license"]):
            if (lic, RDF.type, DCTERMS["LicenseDocument"]) not in graph:
                out.append(f"licenza {lic} della distribuzione {dist} non è un dct:LicenseDocument")
        for fmt in graph.objects(dist, DCTERMS["format"]):
            if not (isinstance(fmt, URIRef) and str(fmt).startswith(AUTHORITY + "file-type/")):
                out.append(f"formato {fmt} della distribuzione {dist} fuori dal vocabolario EU file-type")
    for ds in graph.subjects(RDF.type, DCATAPIT["Dataset"]):
        for theme in graph.objects(ds, DCAT["theme"]):
            if not str(theme).startswith(AUTHORITY + "data-theme/"):
                out.append(f"tema {theme} del dataset {ds} fuori dal vocabolario EU data-theme")
        for freq in graph.objects(ds, DCTERMS["accrualPeriodicity"]):
            if not str(freq).startswith(AUTHORITY + "frequency/"):
                out.append(f"frequenza {freq} del dataset {ds} fuori dal vocabolario EU frequency")
    return out


def parse(doc: dict) -> Graph:
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    return g


@pytest.fixture
def catalogue(client, released):
    response = client.get(reverse("atlas:catalogue"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def test_catalogue_has_every_mandatory_dcat_ap_it_property(catalogue):
    graph = parse(catalogue)
    datasets = set(graph.subjects(RDF.type, DCATAPIT["Dataset"]))
    # Indicators, bulk releases and the sources: every kind of dataset is there and checked.
    ids = {str(graph.value(d, DCTERMS["identifier"])) for d in datasets}
    assert {"osservatorio:indice-vecchiaia", "osservatorio:contribuenti-fino-10mila"} <= ids
    assert any(i.startswith("osservatorio:rilascio-") for i in ids)
    assert "mef_irpef_comuni" in ids
    assert len(set(graph.subjects(RDF.type, DCATAPIT["Distribution"]))) >= len(datasets)
    assert problems(graph) == []


def test_the_checker_catches_a_missing_property(catalogue):
    for path, prop in [
        (("dcat:dataset", 0), "dct:rightsHolder"),
        (("dcat:dataset", 0, "dcat:distribution", 0), "dct:license"),
        ((), "dct:modified"),
        (("dct:publisher",), "dct:identifier"),
    ]:
        broken = copy.deepcopy(catalogue)
        node = broken
        for step in path:
            node = node[step]
        del node[prop]
        found = problems(parse(broken))
        assert any(prop in p for p in found), (path, prop, found)
