// Regenerates the map data the tracker ships in legality/maps/data/ (see its README.md).
// Node is needed only here, to regenerate; the tracker reads the committed files with Python.
//
//   npm ci && npm run build
//
// 1. counties-albers-10m.json: us-atlas's pre-projected counties, states and nation, copied as is
//    (Python decodes its arcs to SVG paths; no projection needed).
// 2. world-paths.json: world-atlas's countries projected once with d3-geo (Equal Earth, which
//    cuts polygons at the antimeridian) into SVG path strings, keyed by ISO 3166 numeric id.
// 3. us-place-points.json: every place with a point in input/place_points.csv projected with the
//    projection us-atlas used (geoAlbersUsa, scale 1300, translate [487.5, 305]), keyed by OCD
//    id, or by census code for census-designated places (which have no OCD id). Points outside
//    the projection (Puerto Rico and the other territories) are listed as unprojected.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { geoAlbersUsa, geoEqualEarth, geoPath } from "d3-geo";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "legality", "maps", "data");
const packageVersion = (name) =>
  JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;

// 1. The US boundaries, unchanged.
copyFileSync(require.resolve("us-atlas/counties-albers-10m.json"), join(out, "counties-albers-10m.json"));

// 2. The world: Natural Earth 1:110m, and 1:50m for the small countries 1:110m leaves out
// (Singapore, Malta, island states), so every country with a shape can be clicked. Antarctica is
// left out of the picture (it would take a third of the height); the tracker still lists it in
// the table beside the map.
const WORLD_WIDTH = 960;
const countriesOf = (file) => {
  const topology = JSON.parse(readFileSync(require.resolve(`world-atlas/${file}`), "utf8"));
  return feature(topology, topology.objects.countries).features.filter(
    (f) => f.id !== undefined && f.id !== "010",
  );
};
const coarse = countriesOf("countries-110m.json");
const coarseIds = new Set(coarse.map((f) => f.id));
const small = countriesOf("countries-50m.json").filter((f) => !coarseIds.has(f.id));
const collection = { type: "FeatureCollection", features: coarse };
const projection = geoEqualEarth().fitWidth(WORLD_WIDTH, collection);
const path = geoPath(projection).digits(1);
const [[, top], [, bottom]] = path.bounds(collection);
const worldPaths = {
  source:
    `world-atlas ${packageVersion("world-atlas")} countries-110m.json (Natural Earth 1:110m), ` +
    `and countries-50m.json for the ${small.length} countries 1:110m lacks, ` +
    `projected with d3-geo ${packageVersion("d3-geo")} geoEqualEarth().fitWidth(${WORLD_WIDTH})`,
  width: WORLD_WIDTH,
  height: Math.ceil(bottom - top),
  countries: [...coarse, ...small]
    .map((f) => ({ id: f.id, name: f.properties.name, d: path(f) }))
    .filter((c) => c.d)
    .sort((a, b) => a.id.localeCompare(b.id)),
};
writeFileSync(join(out, "world-paths.json"), JSON.stringify(worldPaths) + "\n");

// 3. The places' points.
const albers = geoAlbersUsa().scale(1300).translate([487.5, 305]);
const rows = readFileSync(join(here, "input", "place_points.csv"), "utf8").trim().split("\n").slice(1);
const byOcdId = {};
const byCensusId = {};
const unprojected = [];
for (const row of rows) {
  const [ocdId, censusId, lat, lon] = row.split(",");
  const xy = albers([Number(lon), Number(lat)]);
  if (xy === null) {
    unprojected.push(ocdId || censusId);
    continue;
  }
  const point = xy.map((v) => Math.round(v * 10) / 10);
  if (ocdId) byOcdId[ocdId] = point;
  else byCensusId[censusId] = point;
}
const points = {
  source: `input/place_points.csv projected with d3-geo ${packageVersion("d3-geo")} geoAlbersUsa().scale(1300).translate([487.5, 305]), as us-atlas ${packageVersion("us-atlas")}`,
  by_ocd_id: byOcdId,
  by_census_id: byCensusId,
  unprojected: unprojected.sort(),
};
writeFileSync(join(out, "us-place-points.json"), JSON.stringify(points) + "\n");
console.log(
  `world: ${worldPaths.countries.length} countries, ${worldPaths.width}x${worldPaths.height}; ` +
    `points: ${Object.keys(byOcdId).length} by OCD id, ${Object.keys(byCensusId).length} by census code, ` +
    `${unprojected.length} outside the Albers USA projection`,
);
