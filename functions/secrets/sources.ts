/**
 * The sources' service, built at first use: the sealing key of their signing secrets is read
 * then, as only the sources' routes and the webhook need it. Its own module, imported by those two
 * functions only, so that the awards code and zod's JSON Schema reader stay out of the others.
 */
import { SourceService } from "../../domain/awards/index.ts";
import type { DefinitionStore, FourEyesPolicy } from "../../domain/kernel/definitions.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import { SecretBox } from "./secret-box.ts";

export function lazySources(deps: { definitions: DefinitionStore; clock: Clock; fourEyes: () => FourEyesPolicy }): () => SourceService {
  let service: SourceService | undefined;
  return () => {
    service ??= new SourceService({ ...deps, sealer: SecretBox.fromEnv() });
    return service;
  };
}
