"""`osservatorio sources list | load SOURCE [FILE ...] | load --all | sync-warehouse`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ... import registry, services, warehouse
from ...models import Release
from ...validation import LoadError


class Command(BaseCommand):
    help = "Fonti ufficiali: elenco, caricamento di una release, aggiornamento del warehouse DuckDB."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="elenca fonti, dataset e release in vigore")
        load = sub.add_parser("load", help="carica un dataset (o tutti i dataset di una fonte)")
        load.add_argument("source", nargs="?", help="chiave del dataset o della fonte (vedi «sources list»)")
        load.add_argument(
            "files", nargs="*", help="file da caricare (default: quelli in OSSERVATORIO_DATA_DIR)"
        )
        load.add_argument("--all", action="store_true", help="carica tutte le fonti dalla cartella dati")
        sub.add_parser("sync-warehouse", help="riscrive le viste di var/warehouse.duckdb")

    def handle(self, *args, **options):
        tty = getattr(self.stdout, "isatty", lambda: False)()
        console = Console(file=self.stdout, highlight=False, soft_wrap=True, width=None if tty else 160)
        registry.sync()
        action = options["action"]
        if action == "list":
            return self.list(console)
        if action == "sync-warehouse":
            ok = warehouse.register()
            console.print(
                "warehouse aggiornato" if ok else "[red]warehouse occupato da un altro processo[/red]"
            )
            return None
        if options["all"]:
            keys = list(registry.datasets())
        elif options["source"]:
            keys = self.dataset_keys(options["source"])
        else:
            raise CommandError("indica il dataset o la fonte da caricare, oppure --all")
        files = [Path(f) for f in options["files"]] or None
        if files and len(keys) > 1:
            raise CommandError(
                f"«{options['source']}» ha più dataset ({', '.join(keys)}): indica quale caricare dai file."
            )
        failed = 0
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            for key in keys:
                task = progress.add_task(key, total=1.0)

                def step(stage, fraction, task=task, key=key):
                    progress.update(task, completed=fraction, description=f"{key}: {stage}")

                if files is None and registry.datasets()[key].files and not services.default_files(key):
                    progress.update(task, description=f"{key}: file assenti", completed=1.0)
                    console.print(f"[yellow]{key}: nessun file in OSSERVATORIO_DATA_DIR, saltato[/yellow]")
                    continue
                try:
                    result = services.load_dataset(key, files, progress=step, user="cli")
                    console.print(result.message)
                except LoadError as exc:
                    failed += 1
                    progress.update(task, description=f"{key}: rifiutato")
                    console.print(
                        f"[red]{key}: caricamento rifiutato, la release precedente resta in vigore.[/red]"
                    )
                    console.print(str(exc))
        if failed:
            raise CommandError(f"{failed} caricamenti rifiutati (vedi i messaggi sopra).")
        return None

    def dataset_keys(self, name: str) -> list[str]:
        datasets = registry.datasets()
        if name in datasets:
            return [name]
        for source in registry.sources():
            if source.key == name:
                return [d.key for d in source.datasets]
        raise CommandError(
            f"«{name}» non è né un dataset né una fonte. Dataset: {', '.join(sorted(datasets))}."
        )

    def list(self, console: Console) -> None:
        table = Table(title="Fonti e dataset")
        for col in ("fonte", "dataset", "release", "righe", "checksum", "avvisi"):
            table.add_column(col)
        in_force = {
            r.dataset.key: r
            for r in Release.objects.filter(status=Release.Status.IN_FORCE).select_related("dataset")
        }
        for source in registry.sources():
            label = source.key + ("" if source.attrs.get("official") else " (non ufficiale)")
            for d in source.datasets:
                r = in_force.get(d.key)
                table.add_row(
                    label,
                    d.key,
                    f"#{r.pk} {r.loaded_at:%Y-%m-%d}" if r else "—",
                    f"{r.rows:,}".replace(",", ".") if r else "",
                    r.checksum_short if r else "",
                    str(r.n_warnings) if r else "",
                )
                label = ""
        console.print(table)
