"""`osservatorio misure catalogo [--sovrascrivi]`, `osservatorio misure stima --ambito CODE --mese AAAA-MM` and
`osservatorio misure stime-rdc [--ambito CODE ...]` (publish the RdC/PdC estimate for the take-up indicators)."""

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
        pub = sub.add_parser(
            "stime-rdc",
            help="Pubblica i nuclei idonei a RdC/PdC stimati a luglio 2020 (dataset derivato per il take-up)",
        )
        pub.add_argument(
            "--ambito", action="append", help="Codice di ambito (ripetibile); predefinito: l'ambito dell'ente"
        )
        pub.add_argument("--estrazioni", type=int, default=10)
        pub.add_argument("--famiglie", type=int, default=3000)
        pub.add_argument("--seme", type=int, default=1)

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
        if options["azione"] == "stime-rdc":
            self.publish(options)
            return
        from osservatorio.measures.microsim import estimate
        from osservatorio.measures.selectors import ambito_comuni

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

    def publish(self, options):
        from osservatorio.measures.coverage import ESTIMATE_INDICATORS, publish_rdc_eligible
        from osservatorio.sources.validation import LoadError

        if options["estrazioni"] < 2 or options["famiglie"] < 200:
            raise CommandError("Servono almeno 2 estrazioni e 200 famiglie per estrazione.")
        try:
            result = publish_rdc_eligible(
                options["ambito"],
                draws=options["estrazioni"],
                households=options["famiglie"],
                seed=options["seme"],
            )
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        if result is None:
            raise CommandError(
                "Nessun comune da stimare: indicare --ambito CODICE o impostare OSSERVATORIO_HOME_AMBITO "
                "(e caricare il territorio)."
            )
        self.stdout.write(result.message)
        self.stdout.write(
            "Per rilasciare gli indicatori: osservatorio indicators compute --indicator "
            + " --indicator ".join(ESTIMATE_INDICATORS)
        )
