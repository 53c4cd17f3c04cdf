"""Maps of the law: the United States by state, a state by county, the world by country.

`boundaries` reads the shipped shapes and points (legality/maps/data/, made by scripts/maps/),
`topojson` decodes us-atlas's projected arcs, `shading` resolves every jurisdiction on a map with
resolution's own rules, `pictures` turns that into shapes, dots, a legend and a table, and
`rendering` draws and caches them; `views` are the map pages.
"""
