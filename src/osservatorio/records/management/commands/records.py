"""`osservatorio records …`: import a file with a saved mapping, load a street table, generate synthetic data."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from osservatorio.records import reading, services


class Command(BaseCommand):
    help = "Dati dei servizi: importazione di file, stradari e dati sintetici."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Importa un file CSV o Excel con una mappatura salvata.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--mapping", required=True, help="Nome della mappatura (la fonte) salvata.")
        imp.add_argument("--valid-only", action="store_true", help="Importa solo le righe valide.")
        syn = sub.add_parser("synth", help="Genera e carica dati sintetici per un ambito o un comune.")
        syn.add_argument("--ambito", required=True, help="Codice dell'ambito (o di un comune).")
        syn.add_argument("--households", type=int, default=3000)
        syn.add_argument("--records", type=int, default=None)
        syn.add_argument("--seed", type=int, default=0)
        st = sub.add_parser("streets", help="Carica uno stradario (comune_code, via, quartiere).")
        st.add_argument("file", type=Path)
        st.add_argument(
            "--comune", default=None, help="Codice ISTAT del comune, se il file non ha la colonna."
        )

    def handle(self, *args, **options):
        try:
            getattr(self, f"do_{options['action']}")(options)
        except (services.ImportRefused, reading.FileRejected) as exc:
            raise CommandError(getattr(exc, "message", None) and str(exc) or str(exc)) from None

    def do_import(self, options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Il file {path} non esiste.")
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("Scrittura", total=None)
            batch, result = services.import_file(
                path,
                options["mapping"],
                valid_only=options["valid_only"],
                on_chunk=lambda done, total: bar.update(task, completed=done, total=total),
            )
        for e in result.errors.head(20).iter_rows(named=True):
            self.stderr.write(
                f"{path.name}, riga {e['riga']}, colonna «{e['colonna']}» ({e['regola']}): {e['messaggio']}"
            )
        if result.errors.height > 20:
            self.stderr.write(
                f"… e altre {result.errors.height - 20} segnalazioni (rapporto: {services.error_report_path(batch)})"
            )
        if batch.status != "completato":
            raise CommandError(
                batch.file_error
                or f"{result.rows_with_errors} righe con errori: niente importato. Correggere il file o usare --valid-only."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Importate {batch.rows_imported} righe (importazione n. {batch.pk}).")
        )

    def do_synth(self, options):
        batch = services.load_synthetic(
            options["ambito"],
            households=options["households"],
            seed=options["seed"],
            records=options["records"],
            say=self.stdout.write,
        )
        if batch is None:
            return

    def do_streets(self, options):
        n = services.load_streets(options["file"], options["comune"])
        self.stdout.write(self.style.SUCCESS(f"Stradario caricato: {n} vie."))
