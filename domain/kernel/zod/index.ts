/**
 * zod for every schema Laurel's functions load: zod/mini, whose functional API lets esbuild drop
 * what a bundle does not use (classic zod puts all of itself, JSON Schema code included, in every
 * bundle). Classic zod loads its English messages itself; mini does not, and without them every
 * refusal would say "Invalid input". Import z from here, so that no schema parses without them.
 */
import { en } from "zod/locales";
import * as z from "zod/mini";

z.config(en());

export * from "zod/mini";
