"""``soupwatch products list`` and ``soupwatch components list``: what the inventory holds."""

from __future__ import annotations

import typer

from soupwatch import pipeline
from soupwatch.cli.common import OutputFormat, open_store, print_json, print_table
from soupwatch.model.shapes import component_json, product_json

products_app = typer.Typer(
    help="Device models (products) and their releases.", no_args_is_help=True
)
components_app = typer.Typer(help="Components of a release.", no_args_is_help=True)


@products_app.command("list")
def products_list(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """List products with their releases."""
    store = open_store()
    try:
        rows = pipeline.list_products(store)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([product_json(p, versions) for p, versions in rows])
        return
    print_table(
        "Products",
        ["name", "manufacturer", "device class", "releases"],
        [[p.name, p.manufacturer, p.device_class, ", ".join(v)] for p, v in rows],
    )


@components_app.command("list")
def components_list(
    product: str = typer.Option(..., "--product", help="Product name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """List every component of a release, nested ones included (not the SBOM's subject)."""
    store = open_store()
    try:
        rel = pipeline.get_release(store, product, release)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([component_json(c) for c in rel.components])
        return
    print_table(
        f"{product} {release}: {len(rel.components)} components",
        ["name", "version", "type", "supplier", "purl / cpe"],
        [[c.name, c.version, c.type.value, c.supplier, c.purl or c.cpe] for c in rel.components],
    )


def register(app: typer.Typer) -> None:
    """Attach the ``products`` and ``components`` groups."""
    app.add_typer(products_app, name="products")
    app.add_typer(components_app, name="components")
