// Supaglue's TypeScript types as a witness: a typed client generated from Supaglue's own
// specs does what a Supaglue client does against Glue. It compiles only if Supaglue's types
// accept the calls and the checks below (check.ts ties them to the types); it exits 0 only
// if every answer has the status the spec gives and values of the types it declares.
//
// Environment: GLUE_BASE_URL, GLUE_API_KEY, GLUE_CUSTOMER_ID, GLUE_PROVIDER_NAME (salesloft).
import createClient from "openapi-fetch";
import type {
  components as Engagement,
  operations,
  paths as EngagementPaths,
} from "./generated/engagement.js";
import type { components as Mgmt, paths as MgmtPaths } from "./generated/mgmt.js";
import {
  type Check,
  anyObject,
  array,
  boolean,
  leaf,
  literal,
  member,
  nullable,
  number,
  object,
  optional,
  string,
} from "./check.js";

type S = Engagement["schemas"];
type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;

// --- what Supaglue's types say the answers are ---------------------------------------------

const text = nullable(string);
const contact = object<S["contact"]>({
  id: string,
  owner_id: text,
  account_id: optional(text),
  first_name: text,
  last_name: text,
  job_title: text,
  address: nullable(
    object<NonNullable<S["address"]>>({
      city: text,
      country: text,
      postal_code: text,
      state: text,
      street_1: text,
      street_2: text,
    }),
  ),
  email_addresses: array(
    object<S["email_addresses"][number]>({
      email_address: string,
      email_address_type: nullable(literal("primary", "personal", "work")),
    }),
  ),
  phone_numbers: array(
    object<S["phone_numbers"][number]>({
      phone_number: text,
      phone_number_type: nullable(literal("primary", "work", "home", "mobile", "other")),
    }),
  ),
  open_count: number,
  click_count: number,
  reply_count: number,
  bounced_count: number,
  created_at: text,
  updated_at: text,
  is_deleted: boolean,
  last_modified_at: string,
  raw_data: optional(anyObject),
});
const contactPage = object<Json<operations["listContacts"]["responses"][200]>>({
  pagination: object<S["pagination"]>({
    next: text,
    previous: text,
    total_count: optional(number),
  }),
  records: array(contact),
});
const created = object<Json<operations["createContact"]["responses"][201]>>({
  record: optional(object<S["created_record"]>({ id: string })),
  warnings: optional(
    array(
      object<S["warnings"][number]>({
        detail: optional(string),
        problem_type: optional(string),
        title: optional(string),
      }),
    ),
  ),
});
// A common-object trigger answers the spec's "Data model: Common Schema" kind of sync.
type Sync = Mgmt["schemas"]["sync"];
const commonSync = member<Sync, Extract<Sync, { object_type: "common" }>>(object({
  id: string,
  type: literal("object"),
  object_type: literal("common"),
  object: string,
  connection_id: string,
  sync_config_id: string,
  paused: boolean,
}));
// Engagement's and management's error items have the same type; `meta` is checked by hand
// (an intersection with an index signature): an object whose origin is one of the two.
const errorEnvelope = object<Json<Engagement["responses"]["badRequest"]>>({
  errors: optional(
    array(
      object<S["errors"][number]>({
        id: string,
        detail: string,
        problem_type: string,
        title: string,
        code: string,
        status: string,
        meta: leaf(
          (v) =>
            typeof v === "object" &&
            v !== null &&
            ["supaglue", "remote-provider"].includes((v as { origin?: string }).origin ?? ""),
          'an object whose origin is "supaglue" or "remote-provider"',
        ),
      }),
    ),
  ),
});

// --- running the steps ---------------------------------------------------------------------

class Failure extends Error {}

const show = (value: unknown): string => JSON.stringify(value)?.slice(0, 300) ?? String(value);

/** The body of an answer, once its status is the spec's and its values match `check`. */
function body<T>(
  answer: { data?: T; error?: unknown; response: Response },
  status: number,
  check: Check<T>,
): T {
  const got = answer.response.status;
  if (got !== status) {
    const envelope = errorEnvelope(answer.error, "error");
    throw new Failure(
      `HTTP ${got} (the spec's success: ${status}) ${show(answer.error ?? answer.data)}` +
        (envelope.length ? `\n      error envelope vs Supaglue's type: ${envelope.join("; ")}` : ""),
    );
  }
  const problems = check(answer.data, "body");
  if (problems.length) {
    const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : "";
    throw new Failure(`body vs Supaglue's type: ${problems.slice(0, 8).join("; ")}${more}`);
  }
  return answer.data as T;
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Failure(message);
}

let steps = 0;
let failures = 0;

/** Runs one step and prints its result; a step whose input is missing is a failure too. */
async function step<T>(name: string, run: () => Promise<[T, string]>): Promise<T | undefined> {
  steps += 1;
  try {
    const [value, note] = await run();
    console.log(`ok    ${name}: ${note}`);
    return value;
  } catch (error) {
    failures += 1;
    const reason = error instanceof Failure ? error.message : String((error as Error).stack);
    console.log(`FAIL  ${name}: ${reason}`);
    return undefined;
  }
}

function needs<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Failure(`not run: needs ${what}`);
  return value;
}

function setting(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (!value) {
    console.error(`Set ${name}.`);
    process.exit(2);
  }
  return value;
}

const base = setting("GLUE_BASE_URL").replace(/\/+$/, "");
const headers = { "x-api-key": setting("GLUE_API_KEY") };
const header = {
  "x-customer-id": setting("GLUE_CUSTOMER_ID"),
  "x-provider-name": setting("GLUE_PROVIDER_NAME", "salesloft"),
};
const engagement = createClient<EngagementPaths>({ baseUrl: `${base}/engagement/v2`, headers });
const mgmt = createClient<MgmtPaths>({ baseUrl: `${base}/mgmt/v2`, headers });
const email = `ts-witness-${Date.now()}@example.com`;

const first = await step("list contacts", async () => {
  const page = body(
    await engagement.GET("/contacts", { params: { header, query: { page_size: "50" } } }),
    200,
    contactPage,
  );
  expect(page.records.length > 0, "no contacts: is the sandbox synced?");
  const next = page.pagination.next;
  expect(next !== null, `${page.records.length} contacts and no next cursor: nothing to follow`);
  return [page, `${page.records.length} contacts, next cursor given`];
});

await step("follow one page", async () => {
  const cursor = needs(first?.pagination.next ?? undefined, "a next cursor");
  const page = body(
    await engagement.GET("/contacts", { params: { header, query: { page_size: "50", cursor } } }),
    200,
    contactPage,
  );
  const seen = new Set(first?.records.map((record) => record.id));
  const repeated = page.records.filter((record) => seen.has(record.id)).length;
  expect(page.records.length > 0, "the next page is empty");
  expect(repeated === 0, `${repeated} contacts of page 1 came again on page 2`);
  return [page, `${page.records.length} more contacts, none repeated`];
});

const createdId = await step("create a contact", async () => {
  const answer = body(
    await engagement.POST("/contacts", {
      params: { header },
      body: {
        record: {
          first_name: "Ada",
          last_name: "Witness",
          job_title: "Engineer",
          email_addresses: [{ email_address: email, email_address_type: "work" }],
        },
      },
    }),
    201,
    created,
  );
  const id = answer.record?.id;
  expect(id !== undefined, `no record.id in ${show(answer)}`);
  return [id as string, `id ${id}, ${answer.warnings?.length ?? 0} warnings`];
});

await step("read it back", async () => {
  const contact_id = needs(createdId, "the created contact");
  const record = body(
    await engagement.GET("/contacts/{contact_id}", { params: { header, path: { contact_id } } }),
    200,
    contact,
  );
  const emails = record.email_addresses.map((item) => item.email_address.toLowerCase());
  expect(record.id === contact_id, `asked for ${contact_id}, got ${record.id}`);
  expect(record.first_name === "Ada", `first_name ${show(record.first_name)}, sent "Ada"`);
  expect(emails.includes(email), `emails ${show(emails)}, sent ${email}`);
  return [record, `${record.first_name} ${record.last_name} <${emails.join(", ")}>`];
});

await step("read an unknown contact", async () => {
  const answer = await engagement.GET("/contacts/{contact_id}", {
    params: { header, path: { contact_id: "no-such-contact" } },
  });
  const problems = errorEnvelope(answer.error, "error");
  expect(answer.response.status === 404, `HTTP ${answer.response.status}, the spec's: 404`);
  expect(problems.length === 0, `error envelope vs Supaglue's type: ${problems.join("; ")}`);
  const item = answer.error?.errors?.[0];
  expect(item?.status === "404", `errors[0].status ${show(item?.status)}, the spec's: "404"`);
  return [item, `404, ${item?.code}: ${item?.detail}`];
});

await step("search contacts by email", async () => {
  const contact_id = needs(createdId, "the created contact");
  const page = body(
    await engagement.POST("/contacts/_search", {
      params: { header },
      body: { filter: { emails: [email] } },
    }),
    200,
    contactPage,
  );
  const ids = page.records.map((record) => record.id);
  expect(ids.includes(contact_id), `searched ${email}, got ids ${show(ids)}`);
  return [page, `${ids.length} found, the created contact among them`];
});

await step("trigger a sync", async () => {
  const sync = body(
    await mgmt.POST("/syncs/_trigger", {
      params: { header },
      body: { object_type: "common", object: "contact" },
    }),
    200,
    commonSync,
  );
  if (sync.type !== "object") throw new Failure(`a sync of type ${show(sync.type)}`);
  return [sync.id, `sync ${sync.id} of ${sync.object} (paused: ${sync.paused})`];
});

console.log(failures ? `${failures} of ${steps} steps failed` : `all ${steps} steps passed`);
process.exit(failures ? 1 : 0);
