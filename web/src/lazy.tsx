/**
 * The approvers' and admins' views (web/src/admin/) load when first opened, from their own file:
 * the managers' first screens do not carry them. That file takes Preact and the page's modules
 * from this one (scripts/build-web.ts maps its imports to `laurelShared`), so that there is one
 * Preact, one API client with its sign-in, and one app context.
 */
import type { ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Fragment, jsx, jsxs } from "preact/jsx-runtime";
import type * as Admin from "./admin/index.ts";
import { ApiError, newIdempotencyKey, request, usePaged, useResource } from "./api.ts";
import { amountWords, badgeName, dateLabel, number, provenance, timeLabel } from "./format.ts";
import { capabilityName } from "./i18n.ts";
import { problemWords } from "./problems.ts";
import { Card, ErrorView, LoadMore, ProblemAlert, Segmented, Sheet, Skeleton, useApp } from "./ui.tsx";

declare const __LAUREL_ADMIN__: string;

/**
 * What the admin chunk imports from outside web/src/admin/, by the key build-web.ts gives each
 * module: only the names it uses, so that the managers' code keeps its tree shaking. A name
 * missing here is undefined in the chunk: test/page/review.e2e.test.ts opens each of its screens.
 */
const shared = {
  "preact/hooks": { useEffect, useState },
  "preact/jsx-runtime": { Fragment, jsx, jsxs },
  api: { ApiError, newIdempotencyKey, request, usePaged, useResource },
  format: { amountWords, badgeName, dateLabel, number, provenance, timeLabel },
  i18n: { capabilityName },
  problems: { problemWords },
  ui: { Card, ErrorView, LoadMore, ProblemAlert, Segmented, Sheet, Skeleton, useApp },
};

let loading: Promise<typeof Admin> | undefined;

function loadAdmin(): Promise<typeof Admin> {
  (globalThis as { laurelShared?: typeof shared }).laurelShared = shared;
  loading ??= (import(/* the file's name is known at build time */ __LAUREL_ADMIN__) as Promise<typeof Admin>).catch((e) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** The admin chunk's screens, once loaded: a skeleton meanwhile, a retry if it cannot be. */
export function Lazy({ render }: { render: (admin: typeof Admin) => ComponentChild }) {
  const [admin, setAdmin] = useState<typeof Admin | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const load = () => {
    setFailed(false);
    loadAdmin().then(setAdmin, () => setFailed(true));
  };
  useEffect(load, []);
  if (admin) return <>{render(admin)}</>;
  // Unreachable (offline, or a release replaced the file): the same words as an API that cannot be reached.
  if (failed) return <ErrorView error={new ApiError(0, "offline", "")} retry={load} />;
  return <Skeleton lines={4} />;
}
