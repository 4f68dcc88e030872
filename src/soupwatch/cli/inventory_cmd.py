"""``soupwatch products list``, ``soupwatch components list`` and ``soupwatch inventory
search``: what the inventory holds, and where a component ships across the portfolio."""

from __future__ import annotations

import typer

from soupwatch import pipeline
from soupwatch.cli.common import OutputFormat, err_console, open_store, print_json, print_table
from soupwatch.model.shapes import component_hit_json, component_json, product_json

products_app = typer.Typer(
    help="Device models (products) and their releases.", no_args_is_help=True
)
components_app = typer.Typer(help="Components of a release.", no_args_is_help=True)
inventory_app = typer.Typer(help="Search the portfolio's inventory.", no_args_is_help=True)


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


@inventory_app.command("search")
def inventory_search(
    name: str | None = typer.Option(None, "--name", help="Part of the component name."),
    purl: str | None = typer.Option(None, "--purl", help="A package (any version, or its own)."),
    cpe: str | None = typer.Option(None, "--cpe", help="CPE 2.3 name or 2.2 URI."),
    version_range: str | None = typer.Option(
        None, "--range", help="vers range, e.g. 'vers:generic/>=1.1.0|<1.1.1w'."
    ),
    product: str | None = typer.Option(None, "--product", help="Only this product."),
    limit: int = typer.Option(200, "--limit", min=1, max=pipeline.MAX_HITS),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Find components across every product and release by name, purl, CPE and version range
    (all given criteria must hold)."""
    store = open_store()
    try:
        found = pipeline.search_components(
            store,
            name=name,
            purl=purl,
            cpe=cpe,
            range=version_range,
            products=frozenset({product}) if product is not None else None,
            limit=limit,
        )
    finally:
        store.close()
    if found.truncated:
        err_console.print(
            f"warning: more than {limit} components match; showing the first {limit}",
            markup=False,
            highlight=False,
        )
    if fmt is OutputFormat.json:
        print_json([component_hit_json(h) for h in found.hits])
        return
    print_table(
        f"{len(found.hits)} components",
        ["product", "release", "name", "version", "purl / cpe"],
        [[h.product, h.release, h.name, h.version, h.purl or h.cpe] for h in found.hits],
    )


def register(app: typer.Typer) -> None:
    """Attach the ``products``, ``components`` and ``inventory`` groups."""
    app.add_typer(products_app, name="products")
    app.add_typer(components_app, name="components")
    app.add_typer(inventory_app, name="inventory")
