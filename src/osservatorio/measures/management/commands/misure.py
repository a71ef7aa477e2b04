"""`osservatorio misure catalogo [--sovrascrivi]` and `osservatorio misure stima --ambito CODE --mese AAAA-MM`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from osservatorio.measures.services import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Catalogo delle misure e microsimulazione sull'ambito."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="azione", required=True)
        cat = sub.add_parser("catalogo", help="Carica il catalogo da measures/data/misure.yaml")
        cat.add_argument("--sovrascrivi", action="store_true", help="Aggiorna anche le misure già modificate")
        est = sub.add_parser("stima", help="Nuclei aventi diritto e costo per comune (dati sintetici)")
        est.add_argument("--ambito", required=True)
        est.add_argument("--mese", required=True, help="AAAA-MM")
        est.add_argument("--estrazioni", type=int, default=10)
        est.add_argument("--famiglie", type=int, default=3000)

    def handle(self, *args, **options):
        if options["azione"] == "catalogo":
            try:
                result = load_catalogue(overwrite=options["sovrascrivi"])
            except CatalogueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Catalogo: {result.created} nuove, {result.updated} aggiornate, {result.unchanged} invariate"
            )
            return
        from osservatorio.measures.microsim import estimate
        from osservatorio.measures.views_microsim import ambito_comuni

        try:
            month = date.fromisoformat(options["mese"] + "-01")
        except ValueError as exc:
            raise CommandError(
                f"--mese «{options['mese']}» non valido: usare AAAA-MM, ad esempio 2024-06"
            ) from exc
        comuni = ambito_comuni(options["ambito"])
        if not comuni:
            raise CommandError(
                f"Ambito «{options['ambito']}» non trovato: caricare il territorio o controllare il codice"
            )
        codes = [c for c, _n in comuni]
        results = estimate.run(
            codes, month.strftime("%Y-%m"), draws=options["estrazioni"], households=options["famiglie"]
        )
        names = dict(comuni)
        self.stdout.write("misura;comune;nome;nuclei;nuclei_min;nuclei_max;costo_annuo  (dati sintetici)")
        for e in results:
            self.stdout.write(
                f"{e.measure};{e.comune};{names.get(e.comune, '')};{e.households:.0f};"
                f"{e.households_low:.0f};{e.households_high:.0f};{e.cost:.0f}"
            )
