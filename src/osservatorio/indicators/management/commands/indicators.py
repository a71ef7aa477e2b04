"""`osservatorio indicators compute|list|load-catalogue`: the catalogue from the command line, with progress."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from osservatorio.indicators import services
from osservatorio.indicators.catalogue import CatalogueError
from osservatorio.indicators.models import Indicator


class Command(BaseCommand):
    help = "Indicatori: calcola e rilascia il catalogo, elenca gli indicatori, ricarica il catalogo."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("compute", help="calcola e pubblica un rilascio")
        c.add_argument(
            "--indicator", action="append", default=[], help="codice (ripetibile); tutti se omesso"
        )
        c.add_argument("--area", action="append", default=[], help="codice ISTAT dell'area (ripetibile)")
        c.add_argument(
            "--solo-aree",
            action="store_true",
            help="pubblica solo le aree indicate con --area (non i comuni che contengono); "
            "i loro valori si calcolano comunque da tutti i comuni membri",
        )
        sub.add_parser("list", help="elenca gli indicatori del catalogo")
        sub.add_parser("load-catalogue", help="ricarica il catalogo dai file YAML")

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "load-catalogue":
                self.stdout.write(str(services.load_catalogue()))
            elif opts["action"] == "list":
                services.load_catalogue()
                for ind in Indicator.objects.filter(active=True):
                    self.stdout.write(f"{ind.code:40} {ind.get_domain_display():35} {ind.title_it}")
            else:
                if opts["solo_aree"] and not opts["area"]:
                    raise CommandError("--solo-aree richiede almeno un --area")
                self.compute(opts["indicator"], opts["area"], opts["solo_aree"])
        except (services.ComputeError, CatalogueError) as exc:
            raise CommandError(str(exc)) from exc

    def compute(self, codes, areas, only_areas=False):
        console = Console(file=self.stdout, force_terminal=False)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("Calcolo degli indicatori", total=None)

            def progress(code, n, total):
                bar.update(task, total=total, completed=n - 1, description=f"Calcolo: {code}")

            release = services.compute_release(
                codes or None, areas or None, progress=progress, only_areas=only_areas
            )
            bar.update(task, completed=len(release.indicators), description="Calcolo concluso")
        total = sum(release.counts.values())
        if getattr(release, "unchanged", False):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Nessun valore cambiato: resta in vigore il rilascio {release.pk} ({total} valori)."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Rilascio {release.pk} pubblicato: {total} valori, {len(release.indicators)} indicatori."
            )
        )
        for m in release.messages:
            self.stdout.write(f"  - {m}")
