/**
 * An independent check of what CloudFormation will be given: cfn-lint (AWS's CloudFormation
 * linter, from Python; neither npm nor Debian ships a current one) on every stage's template,
 * built as `cdk deploy` builds it with the page, and on the China stage's against the resource
 * types and values of Beijing and Ningxia. Where cfn-lint is not installed the suite says
 * so plainly, in its output and in a test that proves the absence, rather than skipping.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { type Partition, type StageName, stageConfig, stageNames } from "../../lib/stage.ts";
import { writeBuiltPage } from "./built-page.ts";

/** cfn-lint findings we accept, each with the reason. Anything else fails the suite. */
const ignoredRules: Record<string, string> = {
  W3005:
    "aws-cdk-lib gives every Lambda function an explicit DependsOn on its role (and the role's policy) although " +
    "the function's Role property already refers to the role; the redundant edge changes nothing and is not ours to write.",
  I1022:
    "Informational style advice (Fn::Sub over Fn::Join with an empty delimiter): aws-cdk-lib renders every string " +
    "built from tokens as Fn::Join; both mean the same to CloudFormation.",
};

interface Finding {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/**
 * The stacks are region-agnostic; cfn-lint checks resource types and values against the regions'
 * specs: one global region, and both China regions for the China stage.
 */
const lintRegions: Record<Partition, string[]> = { aws: ["us-east-1"], "aws-cn": ["cn-north-1", "cn-northwest-1"] };

/** The templates linted: every stage, and prod as deployed in China. */
const variants: { stage: StageName; partition: Partition; name: string }[] = [
  ...stageNames.map((stage) => ({ stage, partition: "aws" as const, name: stage })),
  { stage: "prod", partition: "aws-cn", name: "prod (aws-cn)" },
];

const cfnLintPath = (): string | undefined => {
  const which = spawnSync("which", ["cfn-lint"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
};

const cfnLint = cfnLintPath();

/** The template of a stage, as `cdk deploy` builds it from a repository with the page built. */
function synthesize({ stage, partition }: (typeof variants)[number], dir: string): string {
  const page = join(dir, `page-${stage}-${partition}`);
  const file = join(dir, `Laurel-${stage}-${partition}.template.json`);
  writeBuiltPage(page);
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new LaurelStack(app, `Laurel-${stage}`, { config: stageConfig(stage, partition), webAssetPath: page });
  writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));
  return file;
}

const describeFinding = (f: Finding): string => `${f.Rule.Id} ${f.Level} at ${f.Location.Path.join("/")}: ${f.Message}`;

if (cfnLint) {
  describe(`cfn-lint (${cfnLint})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "laurel-cfn-lint-"));
    const files = new Map<string, string>();
    let findings: Finding[] = [];
    let version = "";

    /** One run per partition for all its templates (Python's start-up dominates), informational rules included. */
    const lint = (partition: Partition): Finding[] => {
      const templates = variants.filter((v) => v.partition === partition).map((v) => files.get(v.name) ?? "");
      // The tests' AWS_REGION names DynamoDB Local, so the regions are given and AWS_* left out.
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
      const args = ["--format", "json", "--include-checks", "I", "--regions", ...lintRegions[partition], "--", ...templates];
      const run = spawnSync(cfnLint as string, args, { encoding: "utf8", env, timeout: 240_000 });
      if (run.error) throw run.error;
      // Exit codes are a bit field of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
      if (run.status === 1 || run.stdout.trim() === "") throw new Error(`cfn-lint failed: ${run.stderr}`);
      return JSON.parse(run.stdout) as Finding[];
    };

    beforeAll(() => {
      for (const variant of variants) files.set(variant.name, synthesize(variant, dir));
      version = spawnSync(cfnLint, ["--version"], { encoding: "utf8" }).stdout.trim();
      findings = [...lint("aws"), ...lint("aws-cn")];
    }, 300_000);

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    for (const { name, partition } of variants) {
      it(`finds nothing in the ${name} template, for ${lintRegions[partition].join(" and ")}, but the rules ignored with a reason`, () => {
        const own = findings.filter((f) => f.Filename === files.get(name) && !(f.Rule.Id in ignoredRules));
        expect(own.map(describeFinding), version).toEqual([]);
      });
    }

    it("still finds every ignored rule somewhere (an ignore no longer needed is removed)", () => {
      const found = new Set(findings.map((f) => f.Rule.Id));
      expect(Object.keys(ignoredRules).filter((rule) => !found.has(rule))).toEqual([]);
    });
  });
} else {
  describe("cfn-lint", () => {
    it("is not installed on this machine, so no template was linted (pip install cfn-lint to lint them)", () => {
      console.warn("cfn-lint is not installed (`which cfn-lint` fails): the CloudFormation templates were NOT linted.");
      expect(spawnSync("which", ["cfn-lint"]).status).not.toBe(0);
    });
  });
}
