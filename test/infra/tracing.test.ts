import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, type CfnElement } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../functions/routes.js';
import { SecretsStack } from '../../infra/cdk/secrets-stack.js';
import { readConfig } from '../../shared/config.js';
import { writeStubBundles } from '../support/stub-bundles.js';

/**
 * The stack's `tracing` option in the synthesized template: X-Ray active tracing and `TRACING=on`
 * on every function, and nothing of either without it. What the functions then do is run in
 * test/infra/bundles.test.ts (the bundles, traced and not).
 */

type Json = any;

let root: string;
let traced: SecretsStack;
let plain: SecretsStack;
let tracedJson: Json;
let plainJson: Json;
let nagFindings: string[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'prime-secrets-tracing-'));
  const bundleDir = join(root, 'bundles');
  writeStubBundles(bundleDir);
  const app = new App({ outdir: join(root, 'cdk.out') });
  traced = new SecretsStack(app, 'Traced', { bundleDir, tracing: true });
  plain = new SecretsStack(app, 'Plain', { bundleDir });
  Aspects.of(app).add(new AwsSolutionsChecks());
  const assembly = app.synth();
  tracedJson = assembly.getStackArtifact(traced.artifactId).template;
  plainJson = assembly.getStackArtifact(plain.artifactId).template;
  nagFindings = assembly
    .getStackArtifact(traced.artifactId)
    .messages.filter((m) => m.level !== 'info' && String(m.entry.data).includes('AwsSolutions-'))
    .map((m) => `${m.id}: ${String(m.entry.data)}`);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const functionOf = (stack: SecretsStack, tpl: Json, resource: (typeof RESOURCES)[number]) =>
  tpl.Resources[stack.getLogicalId(stack.functions[resource].node.defaultChild as CfnElement)];
const statementsOf = (tpl: Json, roleId: string) =>
  Object.values(tpl.Resources as Record<string, Json>)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: Json) => role.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('the stack option `tracing`', () => {
  it('is off by default: no active tracing, no TRACING, no X-Ray permission', () => {
    for (const resource of RESOURCES) {
      const fn = functionOf(plain, plainJson, resource);
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Environment.Variables.TRACING).toBeUndefined();
      const actions = statementsOf(plainJson, fn.Properties.Role['Fn::GetAtt'][0]).flatMap((s: Json) => s.Action);
      expect(actions.filter((a: string) => a.startsWith('xray:'))).toEqual([]);
    }
  });

  it('on: every function traced actively, told TRACING=on, and allowed to send its segments only', () => {
    for (const resource of RESOURCES) {
      const fn = functionOf(traced, tracedJson, resource);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.TRACING).toBe('on');
      const xray = statementsOf(tracedJson, fn.Properties.Role['Fn::GetAtt'][0]).filter((s: Json) =>
        [s.Action].flat().some((a: string) => a.startsWith('xray:')),
      );
      expect(xray).toEqual([
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      ]);
    }
    // What the functions read of it (shared/config.ts).
    expect(readConfig({ TRACING: 'on' }).tracing).toBe(true);
    expect(readConfig({}).tracing).toBe(false);
    expect(readConfig({ TRACING: 'true' }).tracing).toBe(false);
  });

  it("passes cdk-nag, X-Ray's wildcard the only one suppressed, with its reason", () => {
    expect(nagFindings).toEqual([]);
    const iam5 = Object.values(tracedJson.Resources as Record<string, Json>).flatMap((r) =>
      (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).filter((rule: Json) => rule.id === 'AwsSolutions-IAM5'),
    );
    expect(iam5.length).toBeGreaterThan(0);
    for (const rule of iam5) {
      expect(rule.applies_to).toEqual(['Resource::*']);
      expect(rule.reason).toMatch(/X-Ray/);
    }
    const plainIam5 = Object.values(plainJson.Resources as Record<string, Json>).flatMap((r) =>
      (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).filter((rule: Json) => rule.id === 'AwsSolutions-IAM5'),
    );
    expect(plainIam5).toEqual([]);
  });
});
