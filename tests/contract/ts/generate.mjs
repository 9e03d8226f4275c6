// Generates TypeScript types from Supaglue's published specs (never copied into the
// repository): SUPAGLUE_SPEC_DIR, relative paths taken from the repository's root, by
// default ../shared/reference/supaglue-openapi (the convention).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const repository = resolve(here, "../../..");
const specDir = resolve(
  repository,
  process.env.SUPAGLUE_SPEC_DIR || "../shared/reference/supaglue-openapi",
);
mkdirSync(resolve(here, "generated"), { recursive: true });
for (const name of ["engagement", "mgmt"]) {
  const spec = resolve(specDir, `${name}.json`);
  const ast = await openapiTS(pathToFileURL(spec), { silent: true });
  writeFileSync(resolve(here, "generated", `${name}.ts`), astToString(ast));
  console.log(`types: ${spec} -> generated/${name}.ts`);
}
