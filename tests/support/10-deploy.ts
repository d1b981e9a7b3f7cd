/**
 * Lesson 10's deploy files (lessons/10-stop-and-report/deploy/), read the way the tools that use
 * them read them, so that the suite can check them without Docker or a cluster:
 *
 * - kubernetes.yaml: parsed with `yaml`, each object validated against the Kubernetes OpenAPI
 *   schema by kubernetes-models, then checked for what that schema lets through (unknown fields,
 *   a container without an image, a preStop hook that does nothing).
 * - Dockerfile: parsed with dockerfile-ast (the parser behind VS Code's Docker support) into facts
 *   per stage: base image, ENV, USER, EXPOSE, RUN, COPY, HEALTHCHECK, CMD.
 * - Dockerfile.dockerignore: Docker's pattern rules, to know what the build can see.
 * - triton/iris/config.pbtxt: a small parser for the protobuf text format Triton reads.
 * - bundleLikeTheDockerfile(): runs the build stage's esbuild command with esbuild's API and lays
 *   the files out as the final stage copies them, so that a test can start the result. esbuild's
 *   results are kept between runs (rememberedBuild), in the system's temporary folder.
 *
 * Nothing here imports vitest: functions either return facts or throw a DeployFileError whose
 * message names the file, the object or line, and what is wrong.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { build, version as esbuildVersion, type BuildOptions, type Metafile } from 'esbuild';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';

/** The repository's root (this file is tests/support/10-deploy.ts). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where lesson 10's deploy files live, relative to a repository root. */
export const DEPLOY_PATH = path.join('lessons', '10-stop-and-report', 'deploy');
/** Lesson 10's deploy files in this repository. */
export const DEPLOY_FILES = {
  dockerfile: path.join(ROOT, DEPLOY_PATH, 'Dockerfile'),
  dockerignore: path.join(ROOT, DEPLOY_PATH, 'Dockerfile.dockerignore'),
  kubernetes: path.join(ROOT, DEPLOY_PATH, 'kubernetes.yaml'),
  kserve: path.join(ROOT, DEPLOY_PATH, 'kserve.yaml'),
  tritonConfig: path.join(ROOT, DEPLOY_PATH, 'triton', 'iris', 'config.pbtxt'),
} as const;

/** A deploy file that is wrong: `problems` lists each finding, the message repeats them with the file's name. */
export class DeployFileError extends Error {
  override name = 'DeployFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.length === 1 ? `${shown(file)}: ${problems[0]}` : `${shown(file)}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** A file's path as messages show it: relative to the repository when inside it. */
function shown(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** `value` for a message: JSON, cut short. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; cost: number } | undefined;
  for (const candidate of candidates) {
    const cost = distance(word, candidate);
    if (cost <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || cost < best.cost)) best = { candidate, cost };
  }
  return best?.candidate;
}

// =============================================================================================
// (a) kubernetes.yaml
// =============================================================================================

/** The objects of kubernetes.yaml, validated, as kubernetes-models' typed classes. */
export interface KubernetesManifest {
  file: string;
  deployment: Deployment;
  service: Service;
  podDisruptionBudget: PodDisruptionBudget;
  /** Every object in the file, in order. */
  objects: (Deployment | Service | PodDisruptionBudget)[];
}

type Segment = string | number;

/** A field path as Kubernetes writes it: spec.template.spec.containers[0].image */
function fieldPath(segments: readonly Segment[]): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('') || '(the object)';
}

function valueAt(root: unknown, segments: readonly Segment[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isRecord(value) && typeof segment === 'string') value = value[segment];
    else return undefined;
  }
  return value;
}

/** The 1-based line of the deepest node of `segments` that exists in a parsed YAML document. */
function lineIn(document: Document, counter: LineCounter, segments: readonly Segment[]): number | undefined {
  let node: unknown = document.contents;
  let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** kubernetes-models' ValidationError (ajv's errors) as one finding per field. */
function schemaFindings(error: unknown, object: unknown): { segments: Segment[]; text: string }[] {
  const errors = (error as { errors?: AjvError[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return [{ segments: [], text: error instanceof Error ? error.message : String(error) }];
  const toSegments = (pointer: string): Segment[] =>
    pointer
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const groups = new Map<string, AjvError[]>();
  for (const entry of errors) groups.set(entry.instancePath, [...(groups.get(entry.instancePath) ?? []), entry]);
  const findings: { segments: Segment[]; text: string }[] = [];
  for (const [pointer, group] of groups) {
    const segments = toSegments(pointer);
    const actual = valueAt(object, segments);
    const got = actual === undefined ? '' : ` (got ${quote(actual)})`;
    for (const entry of group.filter((item) => item.keyword === 'required')) {
      findings.push({ segments: [...segments, String(entry.params.missingProperty)], text: 'is required' });
    }
    const rest = group.filter((item) => item.keyword !== 'required');
    if (rest.length === 0) continue;
    if (rest.some((item) => item.keyword === 'oneOf' || item.keyword === 'anyOf')) {
      // An int-or-string or a quantity: ajv reports each alternative; say them in one line.
      const types = new Set(rest.filter((item) => item.keyword === 'type').map((item) => String(item.params.type)));
      const formats = new Set(rest.filter((item) => item.keyword === 'format').map((item) => String(item.params.format)));
      const text = formats.has('quantity')
        ? 'must be a quantity: a number, or a string such as "500m", "2" or "512Mi"'
        : types.has('integer') && types.has('string')
          ? 'must be a whole number or a string such as "25%"'
          : `must be ${[...types].join(' or ') || 'another form'}${formats.size ? ` (format ${[...formats].join(', ')})` : ''}`;
      findings.push({ segments, text: `${text}${got}` });
      continue;
    }
    for (const entry of rest) {
      const text =
        entry.keyword === 'enum'
          ? `must be one of ${(entry.params.allowedValues as unknown[]).map((value) => quote(value)).join(', ')}`
          : entry.keyword === 'type'
            ? `must be ${String(entry.params.type) === 'integer' ? 'an integer' : `a ${String(entry.params.type)}`}`
            : (entry.message ?? entry.keyword);
      findings.push({ segments, text: `${text}${got}` });
    }
  }
  return findings;
}

/**
 * The fields of the Kubernetes types this manifest uses, as kubernetes-models 4.5.1 knows them
 * (Kubernetes 1.33's API). Its validator accepts unknown fields; `kubectl apply` (strict field
 * validation) would refuse them, and a typo such as `slep` would otherwise pass unnoticed here.
 */
const SHAPES: Record<string, { fields: readonly string[]; nested?: Record<string, string>; lists?: Record<string, string> }> = {
  Deployment: { fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'], nested: { metadata: 'ObjectMeta', spec: 'DeploymentSpec' } },
  Service: { fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'], nested: { metadata: 'ObjectMeta', spec: 'ServiceSpec' } },
  PodDisruptionBudget: { fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'], nested: { metadata: 'ObjectMeta', spec: 'PodDisruptionBudgetSpec' } },
  ObjectMeta: {
    fields: ['annotations', 'creationTimestamp', 'deletionGracePeriodSeconds', 'deletionTimestamp', 'finalizers', 'generateName', 'generation', 'labels', 'managedFields', 'name', 'namespace', 'ownerReferences', 'resourceVersion', 'selfLink', 'uid'],
  },
  DeploymentSpec: {
    fields: ['minReadySeconds', 'paused', 'progressDeadlineSeconds', 'replicas', 'revisionHistoryLimit', 'selector', 'strategy', 'template'],
    nested: { strategy: 'DeploymentStrategy', template: 'PodTemplateSpec' },
  },
  DeploymentStrategy: { fields: ['rollingUpdate', 'type'], nested: { rollingUpdate: 'RollingUpdateDeployment' } },
  RollingUpdateDeployment: { fields: ['maxSurge', 'maxUnavailable'] },
  PodTemplateSpec: { fields: ['metadata', 'spec'], nested: { metadata: 'ObjectMeta', spec: 'PodSpec' } },
  PodSpec: {
    fields: [
      'activeDeadlineSeconds', 'affinity', 'automountServiceAccountToken', 'containers', 'dnsConfig', 'dnsPolicy', 'enableServiceLinks', 'ephemeralContainers',
      'hostAliases', 'hostIPC', 'hostNetwork', 'hostPID', 'hostUsers', 'hostname', 'imagePullSecrets', 'initContainers', 'nodeName', 'nodeSelector', 'os',
      'overhead', 'preemptionPolicy', 'priority', 'priorityClassName', 'readinessGates', 'resourceClaims', 'resources', 'restartPolicy', 'runtimeClassName',
      'schedulerName', 'schedulingGates', 'securityContext', 'serviceAccount', 'serviceAccountName', 'setHostnameAsFQDN', 'shareProcessNamespace', 'subdomain',
      'terminationGracePeriodSeconds', 'tolerations', 'topologySpreadConstraints', 'volumes',
    ],
    nested: { securityContext: 'PodSecurityContext' },
    lists: { containers: 'Container', initContainers: 'Container', topologySpreadConstraints: 'TopologySpreadConstraint' },
  },
  PodSecurityContext: {
    fields: ['appArmorProfile', 'fsGroup', 'fsGroupChangePolicy', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxChangePolicy', 'seLinuxOptions', 'seccompProfile', 'supplementalGroups', 'supplementalGroupsPolicy', 'sysctls', 'windowsOptions'],
    nested: { seccompProfile: 'SeccompProfile' },
  },
  TopologySpreadConstraint: { fields: ['labelSelector', 'matchLabelKeys', 'maxSkew', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy', 'topologyKey', 'whenUnsatisfiable'] },
  Container: {
    fields: [
      'args', 'command', 'env', 'envFrom', 'image', 'imagePullPolicy', 'lifecycle', 'livenessProbe', 'name', 'ports', 'readinessProbe', 'resizePolicy', 'resources',
      'restartPolicy', 'securityContext', 'startupProbe', 'stdin', 'stdinOnce', 'terminationMessagePath', 'terminationMessagePolicy', 'tty', 'volumeDevices',
      'volumeMounts', 'workingDir',
    ],
    nested: { lifecycle: 'Lifecycle', livenessProbe: 'Probe', readinessProbe: 'Probe', startupProbe: 'Probe', resources: 'ResourceRequirements', securityContext: 'SecurityContext' },
    lists: { ports: 'ContainerPort', env: 'EnvVar' },
  },
  ContainerPort: { fields: ['containerPort', 'hostIP', 'hostPort', 'name', 'protocol'] },
  EnvVar: { fields: ['name', 'value', 'valueFrom'], nested: { valueFrom: 'EnvVarSource' } },
  EnvVarSource: { fields: ['configMapKeyRef', 'fieldRef', 'resourceFieldRef', 'secretKeyRef'], nested: { resourceFieldRef: 'ResourceFieldSelector' } },
  ResourceFieldSelector: { fields: ['containerName', 'divisor', 'resource'] },
  ResourceRequirements: { fields: ['claims', 'limits', 'requests'] },
  Lifecycle: { fields: ['postStart', 'preStop', 'stopSignal'], nested: { postStart: 'LifecycleHandler', preStop: 'LifecycleHandler' } },
  LifecycleHandler: { fields: ['exec', 'httpGet', 'sleep', 'tcpSocket'], nested: { exec: 'ExecAction', httpGet: 'HTTPGetAction', sleep: 'SleepAction' } },
  SleepAction: { fields: ['seconds'] },
  ExecAction: { fields: ['command'] },
  HTTPGetAction: { fields: ['host', 'httpHeaders', 'path', 'port', 'scheme'] },
  Probe: {
    fields: ['exec', 'failureThreshold', 'grpc', 'httpGet', 'initialDelaySeconds', 'periodSeconds', 'successThreshold', 'tcpSocket', 'terminationGracePeriodSeconds', 'timeoutSeconds'],
    nested: { exec: 'ExecAction', httpGet: 'HTTPGetAction' },
  },
  SecurityContext: {
    fields: ['allowPrivilegeEscalation', 'appArmorProfile', 'capabilities', 'privileged', 'procMount', 'readOnlyRootFilesystem', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile', 'windowsOptions'],
    nested: { capabilities: 'Capabilities', seccompProfile: 'SeccompProfile' },
  },
  Capabilities: { fields: ['add', 'drop'] },
  SeccompProfile: { fields: ['localhostProfile', 'type'] },
  ServiceSpec: {
    fields: [
      'allocateLoadBalancerNodePorts', 'clusterIP', 'clusterIPs', 'externalIPs', 'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'internalTrafficPolicy',
      'ipFamilies', 'ipFamilyPolicy', 'loadBalancerClass', 'loadBalancerIP', 'loadBalancerSourceRanges', 'ports', 'publishNotReadyAddresses', 'selector',
      'sessionAffinity', 'sessionAffinityConfig', 'trafficDistribution', 'type',
    ],
    lists: { ports: 'ServicePort' },
  },
  ServicePort: { fields: ['appProtocol', 'name', 'nodePort', 'port', 'protocol', 'targetPort'] },
  PodDisruptionBudgetSpec: { fields: ['maxUnavailable', 'minAvailable', 'selector', 'unhealthyPodEvictionPolicy'] },
};

/** Fields that are not in SHAPES' type at their place, with a suggestion when one is close. */
function unknownFields(value: unknown, shape: string, at: Segment[] = []): { segments: Segment[]; text: string }[] {
  const known = SHAPES[shape];
  if (!known || !isRecord(value)) return [];
  const findings: { segments: Segment[]; text: string }[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (!known.fields.includes(key)) {
      const guess = closest(key, known.fields);
      findings.push({
        segments: [...at, key],
        text: `is not a field of ${shape}${guess ? ` (did you mean "${guess}"?)` : ''}: Kubernetes' schema has no such key, so it would be ignored or refused`,
      });
      continue;
    }
    const nested = known.nested?.[key];
    if (nested) findings.push(...unknownFields(child, nested, [...at, key]));
    const listed = known.lists?.[key];
    if (listed && Array.isArray(child)) child.forEach((item, index) => findings.push(...unknownFields(item, listed, [...at, key, index])));
  }
  return findings;
}

/** The kubernetes-models class for a kind this module validates. */
const MODELS = {
  Deployment: (value: Record<string, unknown>) => new Deployment(value as ConstructorParameters<typeof Deployment>[0]),
  Service: (value: Record<string, unknown>) => new Service(value as ConstructorParameters<typeof Service>[0]),
  PodDisruptionBudget: (value: Record<string, unknown>) => new PodDisruptionBudget(value as ConstructorParameters<typeof PodDisruptionBudget>[0]),
} as const;
type ModelKind = keyof typeof MODELS;

function labelsMatch(selector: unknown, labels: unknown): boolean {
  if (!isRecord(selector) || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => isRecord(labels) && labels[key] === value);
}

/**
 * What the manifest relies on that the schema does not require: each container has an image, a
 * preStop hook that waits (sleep.seconds or exec.command), probes that ask a path; the selectors
 * of the Deployment, the Service and the budget find the pods; the Service names a targetPort.
 */
function reliedOnFindings(kind: ModelKind, object: Record<string, unknown>, podLabels: unknown): { segments: Segment[]; text: string }[] {
  const findings: { segments: Segment[]; text: string }[] = [];
  const need = (segments: Segment[], ok: boolean, text: string) => {
    if (!ok) findings.push({ segments, text });
  };
  if (kind === 'Deployment') {
    const selector = valueAt(object, ['spec', 'selector', 'matchLabels']);
    need(['spec', 'selector', 'matchLabels'], labelsMatch(selector, podLabels), `${quote(selector)} does not select the pod template's labels ${quote(podLabels)}`);
    const containers = valueAt(object, ['spec', 'template', 'spec', 'containers']);
    need(['spec', 'template', 'spec', 'containers'], Array.isArray(containers) && containers.length > 0, 'has no container');
    (Array.isArray(containers) ? containers : []).forEach((container: unknown, index) => {
      const at: Segment[] = ['spec', 'template', 'spec', 'containers', index];
      const image = valueAt(container, ['image']);
      need([...at, 'image'], typeof image === 'string' && image.trim() !== '', 'is missing: the schema allows that (a controller could fill it in), but a pod cannot start without one');
      const preStop = valueAt(container, ['lifecycle', 'preStop']);
      if (preStop === undefined) {
        need([...at, 'lifecycle', 'preStop'], false, 'is missing: SIGTERM would arrive while kube-proxy and load balancers still send traffic here');
      } else {
        const seconds = valueAt(preStop, ['sleep', 'seconds']);
        const command = valueAt(preStop, ['exec', 'command']);
        const sleeps = Number.isInteger(seconds) && (seconds as number) >= 1;
        const runs = Array.isArray(command) && command.length > 0 && command.every((word) => typeof word === 'string');
        need(
          [...at, 'lifecycle', 'preStop'],
          sleeps || runs,
          `has neither sleep.seconds (a whole number ≥ 1) nor exec.command (found ${quote(preStop)}): the pod would get SIGTERM at once`,
        );
      }
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        const probePath = valueAt(container, [probe, 'httpGet', 'path']);
        need([...at, probe, 'httpGet', 'path'], typeof probePath === 'string' && probePath.startsWith('/'), probePath === undefined ? 'is missing' : `is not a path (got ${quote(probePath)})`);
      }
      const startup = valueAt(container, ['startupProbe']);
      if (startup !== undefined) {
        const startupPath = valueAt(startup, ['httpGet', 'path']);
        const other = isRecord(startup) && ['exec', 'tcpSocket', 'grpc'].some((key) => startup[key] !== undefined);
        need([...at, 'startupProbe'], other || (typeof startupPath === 'string' && startupPath.startsWith('/')), 'has no httpGet.path (nor exec, tcpSocket or grpc)');
      }
    });
  }
  if (kind === 'Service') {
    const selector = valueAt(object, ['spec', 'selector']);
    need(['spec', 'selector'], labelsMatch(selector, podLabels), `${quote(selector)} does not select the Deployment's pods (labels ${quote(podLabels)})`);
    const ports = valueAt(object, ['spec', 'ports']);
    (Array.isArray(ports) ? ports : []).forEach((port: unknown, index) =>
      need(['spec', 'ports', index, 'targetPort'], valueAt(port, ['targetPort']) !== undefined, 'is missing: it would default to the Service\'s own port, where the container does not listen'),
    );
  }
  if (kind === 'PodDisruptionBudget') {
    const selector = valueAt(object, ['spec', 'selector', 'matchLabels']);
    need(['spec', 'selector', 'matchLabels'], labelsMatch(selector, podLabels), `${quote(selector)} does not select the Deployment's pods (labels ${quote(podLabels)})`);
    const spec = valueAt(object, ['spec']);
    need(['spec'], isRecord(spec) && (spec.minAvailable !== undefined || spec.maxUnavailable !== undefined), 'has neither minAvailable nor maxUnavailable');
  }
  return findings;
}

/**
 * Parses kubernetes.yaml's text: every document is validated by kubernetes-models against the
 * Kubernetes schema, then checked for unknown fields and for what the schema does not require but
 * the manifest relies on (see reliedOnFindings). Exactly one Deployment, one Service and one
 * PodDisruptionBudget are expected. Throws a DeployFileError listing every problem as
 * `document N (Kind "name"), line L: field.path what is wrong`.
 */
export function parseKubernetesManifest(text: string, file = 'kubernetes.yaml'): KubernetesManifest {
  const counter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: counter });
  const list = Array.isArray(documents) ? documents : [documents];
  const syntax = list.flatMap((document) => document.errors.map((error) => `line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]!.replace(/:$/, '')}`));
  if (syntax.length > 0) throw new DeployFileError(file, syntax);

  const problems: string[] = [];
  const objects: KubernetesManifest['objects'] = [];
  const parsed = list
    .map((document, index) => ({ document, index, value: document.toJS() as unknown }))
    .filter((entry) => entry.value !== null && entry.value !== undefined);
  const podLabels = valueAt(parsed.find((entry) => valueAt(entry.value, ['kind']) === 'Deployment')?.value, ['spec', 'template', 'metadata', 'labels']);
  for (const { document, index, value } of parsed) {
    const kind = valueAt(value, ['kind']);
    const name = valueAt(value, ['metadata', 'name']);
    const where = `document ${index + 1} (${typeof kind === 'string' ? kind : 'no kind'}${typeof name === 'string' ? ` "${name}"` : ''})`;
    const report = (findings: { segments: Segment[]; text: string }[]) => {
      for (const finding of findings) {
        const line = lineIn(document, counter, finding.segments);
        problems.push(`${where}${line ? `, line ${line}` : ''}: ${fieldPath(finding.segments)} ${finding.text}`);
      }
    };
    if (!isRecord(value)) {
      problems.push(`${where}: is not a mapping (got ${quote(value)})`);
      continue;
    }
    if (typeof kind !== 'string' || !(kind in MODELS)) {
      problems.push(`${where}: kind must be one of ${Object.keys(MODELS).join(', ')} (got ${quote(kind)})`);
      continue;
    }
    const model = MODELS[kind as ModelKind](value);
    try {
      model.validate();
    } catch (error) {
      report(schemaFindings(error, value));
    }
    report(unknownFields(value, kind));
    report(reliedOnFindings(kind as ModelKind, value, podLabels));
    objects.push(model);
  }
  const only = <T>(kind: ModelKind, found: T[]): T | undefined => {
    if (found.length !== 1) problems.push(`expected one ${kind}, found ${found.length}`);
    return found[0];
  };
  const deployment = only('Deployment', objects.filter((object): object is Deployment => object instanceof Deployment));
  const service = only('Service', objects.filter((object): object is Service => object instanceof Service));
  const podDisruptionBudget = only('PodDisruptionBudget', objects.filter((object): object is PodDisruptionBudget => object instanceof PodDisruptionBudget));
  if (problems.length > 0 || !deployment || !service || !podDisruptionBudget) throw new DeployFileError(file, problems);
  return { file, deployment, service, podDisruptionBudget, objects };
}

/** Reads and checks kubernetes.yaml (see parseKubernetesManifest). */
export function readKubernetesManifest(file: string = DEPLOY_FILES.kubernetes): KubernetesManifest {
  return parseKubernetesManifest(readFileSync(file, 'utf8'), file);
}

/** A Kubernetes quantity ("2", "500m", "512Mi", "1e3") as a number of base units. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(quantity.trim());
  if (!match) throw new Error(`${quote(quantity)} is not a Kubernetes quantity`);
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(match[1]) * (match[2] ? 10 ** Number(match[2].slice(1)) : (scale[match[3] ?? ''] ?? 1));
}

/**
 * A container's environment as the process would see it: `value`s as written, and the Downward
 * API's `resourceFieldRef` (limits.cpu, requests.memory...) computed the way the kubelet does —
 * the container's own resource divided by `divisor` (default 1), rounded up. Values that come
 * from elsewhere (fieldRef, ConfigMaps, Secrets) are left out.
 */
export function containerEnv(container: { env?: { name: string; value?: string; valueFrom?: { resourceFieldRef?: { resource: string; divisor?: string | number } } }[]; resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    const ref = entry.valueFrom?.resourceFieldRef;
    if (!ref) continue;
    const [group, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
    const amount = container.resources?.[group]?.[resource];
    if (typeof amount !== 'string' && typeof amount !== 'number') continue; // the kubelet would use the node's allocatable amount
    env[entry.name] = String(Math.ceil(parseQuantity(amount) / parseQuantity(ref.divisor ?? 1) - 1e-9));
  }
  return env;
}

/** The few fields of kserve.yaml's InferenceService the suite relies on. */
export interface InferenceServiceFacts {
  name: string;
  modelFormat: string;
  protocolVersion?: string;
  runtime?: string;
  storageUri: string;
  /** The whole document, as parsed. */
  value: Record<string, unknown>;
}

/**
 * Reads kserve.yaml: one InferenceService (serving.kserve.io/v1beta1) whose predictor.model has a
 * modelFormat.name and a storageUri with a scheme (gs://, s3://, pvc://...). kubernetes-models has
 * no schema for KServe's resources, so only these fields are checked. Throws a DeployFileError.
 */
export function readInferenceService(file: string = DEPLOY_FILES.kserve): InferenceServiceFacts {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = (Array.isArray(documents) ? documents : [documents]).filter((document) => document.contents !== null);
  const syntax = list.flatMap((document) => document.errors.map((error) => `line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]!.replace(/:$/, '')}`));
  if (syntax.length > 0) throw new DeployFileError(file, syntax);
  if (list.length !== 1) throw new DeployFileError(file, [`expected one document, found ${list.length}`]);
  const value = list[0]!.toJS() as unknown;
  if (!isRecord(value)) throw new DeployFileError(file, [`is not a mapping (got ${quote(value)})`]);
  const problems: string[] = [];
  const text = (segments: Segment[], pattern?: RegExp, hint = ''): string => {
    const found = valueAt(value, segments);
    if (typeof found !== 'string' || (pattern && !pattern.test(found))) problems.push(`${fieldPath(segments)} ${found === undefined ? 'is missing' : `is ${quote(found)}`}${hint}`);
    return typeof found === 'string' ? found : '';
  };
  text(['apiVersion'], /^serving\.kserve\.io\/v1beta1$/, ', expected serving.kserve.io/v1beta1');
  text(['kind'], /^InferenceService$/, ', expected InferenceService');
  const facts: InferenceServiceFacts = {
    name: text(['metadata', 'name']),
    modelFormat: text(['spec', 'predictor', 'model', 'modelFormat', 'name']),
    storageUri: text(['spec', 'predictor', 'model', 'storageUri'], /^[a-z][a-z0-9+.-]*:\/\/\S+$/, ', expected a URI such as gs://bucket/folder'),
    value,
  };
  const protocol = valueAt(value, ['spec', 'predictor', 'model', 'protocolVersion']);
  const runtime = valueAt(value, ['spec', 'predictor', 'model', 'runtime']);
  if (typeof protocol === 'string') facts.protocolVersion = protocol;
  if (typeof runtime === 'string') facts.runtime = runtime;
  if (problems.length > 0) throw new DeployFileError(file, problems);
  return facts;
}

// =============================================================================================
// (b) Dockerfile
// =============================================================================================

/** A command as Docker runs it: exec form (a JSON array, run as is) or shell form (`/bin/sh -c`). */
export interface DockerCommand {
  /** 1-based line of the instruction. */
  line: number;
  /** True when the arguments are a JSON array of strings; Docker treats anything else as shell form. */
  execForm: boolean;
  /** Exec form: the array. Shell form: the stage's SHELL (default /bin/sh -c) and the text. */
  argv: string[];
  /** The arguments as written (continued lines joined). */
  text: string;
}

export interface DockerCopy {
  line: number;
  /** --from=<stage or image>, when given. */
  from?: string;
  sources: string[];
  dest: string;
  /** --chown, --chmod, --link...: name → value ('' for a flag without one). */
  flags: Record<string, string>;
}

export interface DockerPort {
  port: number;
  /** The last port of a range (8000-8010), else the same as port. */
  endPort: number;
  protocol: 'tcp' | 'udp';
}

export interface DockerHealthcheck {
  line: number;
  /** HEALTHCHECK NONE: the base image's check switched off. */
  none: boolean;
  /** --interval, --timeout, --start-period, --retries...: name → value. */
  options: Record<string, string>;
  command?: DockerCommand;
}

export interface DockerStage {
  index: number;
  /** The `AS name`, when given. */
  name?: string;
  /** The FROM image with build arguments substituted (node:24-bookworm-slim), or an earlier stage's name. */
  image: string;
  /** When FROM names an earlier stage: its index (this stage starts with its settings). */
  baseStage?: number;
  line: number;
  /** The WORKDIR in force at the end of the stage ('/' when none). */
  workdir: string;
  /** The last USER in force (undefined: the base image's, root for the node images). */
  user?: string;
  /** ENV in force at the end of the stage (inherited from a base stage; not the base image's own). */
  env: Record<string, string>;
  runs: DockerCommand[];
  copies: DockerCopy[];
  expose: DockerPort[];
  healthcheck?: DockerHealthcheck;
  cmd?: DockerCommand;
  entrypoint?: DockerCommand;
  stopSignal?: string;
}

export interface DockerfileFacts {
  file: string;
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: DockerStage[];
  /** The last stage: the image that runs. */
  final: DockerStage;
}

const DOCKER_KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Docker's substitution of $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alternative} (\$ stays literal). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, operator?: string, word?: string, bare?: string) => {
    if (whole === '\\$') return '$';
    const name = (braced ?? bare)!;
    const value = vars[name];
    if (operator === '-') return value ? value : (word ?? '');
    if (operator === '+') return value ? (word ?? '') : '';
    return value ?? '';
  });
}

/** Docker's reading of a command's arguments: a JSON array of strings is the exec form; anything else is shell form. */
function commandOf(text: string, line: number, shell: string[]): DockerCommand {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed) && parsed.every((word) => typeof word === 'string')) return { line, execForm: true, argv: parsed, text: trimmed };
    } catch {
      // Not JSON (single quotes, a trailing comma...): Docker then runs the text with the shell.
    }
  }
  return { line, execForm: false, argv: [...shell, trimmed], text: trimmed };
}

/** The instruction's arguments without its leading --flags (dockerfile-ast keeps them in some cases). */
function withoutFlags(text: string): string {
  return text.replace(/^(\s*--[A-Za-z-]+(=\S*)?)+\s*/, '').trim();
}

function flagsOf(instruction: Instruction): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const flag of (instruction as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags?.() ?? []) {
    flags[flag.getName()] = flag.getValue() ?? '';
  }
  return flags;
}

/**
 * Parses a Dockerfile's text with dockerfile-ast into facts per stage. ARG defaults and ENV values
 * are substituted where Docker substitutes them (FROM, ENV, USER, WORKDIR, EXPOSE, COPY); RUN, CMD
 * and HEALTHCHECK are kept as written (the shell, not Docker, expands those). Throws a
 * DeployFileError for what Docker itself would refuse: an unknown instruction, no FROM, an
 * instruction other than ARG before the first FROM, an unknown `FROM <stage>`.
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  let stage: DockerStage | undefined;
  let stageArgs: Record<string, string> = {};
  let shell = ['/bin/sh', '-c'];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    if (!DOCKER_KEYWORDS.has(keyword)) {
      problems.push(`line ${line}: ${instruction.getKeyword()} is not a Dockerfile instruction`);
      continue;
    }
    const raw = instruction.getArgumentsContent() ?? '';
    if (keyword === 'ARG') {
      for (const word of instruction.getArguments().map((argument) => argument.getValue())) {
        const [name = '', ...rest] = word.split('=');
        const value = rest.length > 0 ? substitute(rest.join('=').replace(/^(["'])(.*)\1$/, '$2'), { ...args, ...stageArgs, ...stage?.env }) : (args[name] ?? '');
        if (stage) stageArgs[name] = value;
        else args[name] = value;
      }
      continue;
    }
    if (keyword === 'FROM') {
      const words = withoutFlags(raw).split(/\s+/);
      const image = substitute(words[0] ?? '', args);
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      const base = stages.find((earlier) => earlier.name !== undefined && earlier.name.toLowerCase() === image.toLowerCase());
      stage = {
        index: stages.length,
        image,
        line,
        workdir: base?.workdir ?? '/',
        env: { ...base?.env },
        runs: [],
        copies: [],
        expose: [...(base?.expose ?? [])],
      };
      if (name !== undefined) stage.name = name;
      if (base) {
        stage.baseStage = base.index;
        if (base.user !== undefined) stage.user = base.user;
        if (base.healthcheck) stage.healthcheck = base.healthcheck;
        if (base.cmd) stage.cmd = base.cmd;
        if (base.entrypoint) stage.entrypoint = base.entrypoint;
        if (base.stopSignal) stage.stopSignal = base.stopSignal;
      }
      stages.push(stage);
      stageArgs = {};
      shell = ['/bin/sh', '-c'];
      continue;
    }
    if (!stage) {
      problems.push(`line ${line}: ${keyword} before the first FROM (only ARG may come first)`);
      continue;
    }
    const vars = { ...stageArgs, ...stage.env };
    switch (keyword) {
      case 'ENV':
        for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
          stage.env[property.getName()] = substitute(property.getValue() ?? '', { ...stageArgs, ...stage.env });
        }
        break;
      case 'USER':
        stage.user = substitute(raw.trim(), vars);
        break;
      case 'WORKDIR':
        stage.workdir = path.posix.resolve(stage.workdir, substitute(raw.trim(), vars));
        break;
      case 'EXPOSE':
        for (const word of raw.trim().split(/\s+/).filter(Boolean)) {
          const spec = substitute(word, vars);
          const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/i.exec(spec);
          if (!match) {
            problems.push(`line ${line}: EXPOSE ${spec} is not a port (8000, 8000/tcp, 8000-8010/udp)`);
            continue;
          }
          stage.expose.push({ port: Number(match[1]), endPort: Number(match[2] ?? match[1]), protocol: (match[3]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp' });
        }
        break;
      case 'RUN':
        stage.runs.push(commandOf(withoutFlags(raw), line, shell));
        break;
      case 'CMD':
        stage.cmd = commandOf(raw, line, shell);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = commandOf(raw, line, shell);
        break;
      case 'SHELL': {
        const parsed = commandOf(raw, line, shell);
        if (parsed.execForm) shell = parsed.argv;
        else problems.push(`line ${line}: SHELL needs a JSON array`);
        break;
      }
      case 'STOPSIGNAL':
        stage.stopSignal = substitute(raw.trim(), vars);
        break;
      case 'HEALTHCHECK': {
        const rest = withoutFlags(raw);
        const [sub = '', ...tail] = rest.split(/\s+/);
        const check: DockerHealthcheck = { line, none: sub.toUpperCase() === 'NONE', options: flagsOf(instruction) };
        if (sub.toUpperCase() === 'CMD') check.command = commandOf(rest.slice(sub.length), line, shell);
        else if (!check.none) problems.push(`line ${line}: HEALTHCHECK needs CMD or NONE (got ${quote(tail.length ? rest : sub)})`);
        stage.healthcheck = check;
        break;
      }
      case 'COPY':
      case 'ADD': {
        const flags = flagsOf(instruction);
        const body = withoutFlags(raw);
        let words: string[];
        try {
          words = body.startsWith('[') ? (JSON.parse(body) as string[]) : body.split(/\s+/);
        } catch {
          words = body.split(/\s+/);
        }
        words = words.filter(Boolean).map((word) => substitute(word, vars));
        if (words.length < 2) {
          problems.push(`line ${line}: ${keyword} needs at least a source and a destination`);
          break;
        }
        const copy: DockerCopy = { line, sources: words.slice(0, -1), dest: words.at(-1)!, flags };
        if (flags.from !== undefined) copy.from = flags.from;
        stage.copies.push(copy);
        break;
      }
      default:
        break; // LABEL, VOLUME, ONBUILD, MAINTAINER: nothing the suite asks about.
    }
  }
  if (stages.length === 0) problems.push('no FROM: a Dockerfile starts from an image');
  if (problems.length > 0) throw new DeployFileError(file, problems);
  return { file, args, stages, final: stages.at(-1)! };
}

/** Reads and parses a Dockerfile (see parseDockerfile). */
export function readDockerfile(file: string = DEPLOY_FILES.dockerfile): DockerfileFacts {
  return parseDockerfile(readFileSync(file, 'utf8'), file);
}

/**
 * The Node major version an image runs: node:24-bookworm-slim → 24, node:22.12-alpine → 22,
 * gcr.io/distroless/nodejs24-debian12 → 24. Undefined when the tag does not say (node:lts,
 * node:latest, an untagged node) or the image is not a Node image.
 */
export function nodeMajor(image: string): number | undefined {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const name = colon > slash ? withoutDigest.slice(slash + 1, colon) : withoutDigest.slice(slash + 1);
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : '';
  if (name === 'node') {
    const major = /^v?(\d+)(?:[.-]|$)/.exec(tag)?.[1];
    return major === undefined ? undefined : Number(major);
  }
  const distroless = /^nodejs(\d+)(?:-|$)/.exec(name)?.[1];
  return distroless === undefined ? undefined : Number(distroless);
}

/** Each word of every command of a shell text (&&, ||, ;, | and & separate commands). Quotes are honoured, variables expanded from `vars`. */
export function shellCommands(text: string, vars: Record<string, string> = {}): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) commands.at(-1)!.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      end();
      if (char === '\n') commands.push([]);
    } else if (char === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else if (char === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unclosed ' in ${quote(text)}`);
      word = (word ?? '') + text.slice(i + 1, close);
      i = close;
    } else if (char === '"') {
      let inner = '';
      for (i++; i < text.length && text[i] !== '"'; i++) inner += text[i] === '\\' && /["\\$`]/.test(text[i + 1] ?? '') ? text[++i] : text[i];
      if (i >= text.length) throw new Error(`unclosed " in ${quote(text)}`);
      word = (word ?? '') + substitute(inner, vars);
    } else if (char === '$') {
      const match = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      if (!match) word = (word ?? '') + char;
      else {
        word = (word ?? '') + substitute(match[0], vars);
        i += match[0].length - 1;
      }
    } else if (/[;&|]/.test(char)) {
      end();
      if ((char === '&' || char === '|') && text[i + 1] === char) i++;
      commands.push([]);
    } else {
      word = (word ?? '') + char;
    }
  }
  end();
  return commands.filter((command) => command.length > 0);
}

/** Is this command an npm install (npm ci / npm install / npm i)? */
function isNpmInstall(words: string[]): boolean {
  return path.posix.basename(words[0] ?? '') === 'npm' && ['ci', 'install', 'i', 'clean-install'].includes(words[1] ?? '');
}

/** Does it leave devDependencies out (--omit=dev / --omit dev)? */
function omitsDev(words: string[]): boolean {
  return words.some((word, index) => word === '--omit=dev' || (word === '--omit' && words[index + 1] === 'dev'));
}

/**
 * What is wrong with a Dockerfile for a production Node image, one sentence each (an empty list
 * when nothing is): every base image is Node 22 or newer; build and run are separate stages; the
 * final stage installs with --omit=dev (or copies node_modules from a stage that did); the final
 * USER is not root; ENV HOST is not a loopback address; EXPOSE names ENV PORT; CMD (and an own
 * ENTRYPOINT) use the exec form.
 */
export function dockerfileProblems(facts: DockerfileFacts): string[] {
  const problems: string[] = [];
  const { stages, final } = facts;
  for (const stage of stages) {
    if (stage.baseStage !== undefined) continue;
    const major = nodeMajor(stage.image);
    if (major === undefined) problems.push(`line ${stage.line}: FROM ${stage.image} does not say which Node it runs: use a numbered tag such as node:24-bookworm-slim`);
    else if (major < 22) problems.push(`line ${stage.line}: FROM ${stage.image} runs Node ${major}, which no longer gets security fixes (Node 20 reached end of life on 2026-04-30): use node:22 or node:24`);
  }
  if (stages.length < 2) {
    problems.push(`a single stage (line ${stages[0]!.line}): the image would ship the whole build toolchain (dev dependencies, sources); build in one stage and copy the result into a second`);
  }
  const chain = (stage: DockerStage): DockerStage[] => (stage.baseStage === undefined ? [stage] : [...chain(stages[stage.baseStage]!), stage]);
  const installs = chain(final).flatMap((stage) => stage.runs.flatMap((run) => shellCommands(run.execForm ? run.argv.join(' ') : run.text, stage.env).filter(isNpmInstall).map((words) => ({ run, words }))));
  const copiedModules = final.copies.filter((copy) => copy.from !== undefined && copy.sources.some((source) => /(^|\/)node_modules\/?$/.test(source)));
  for (const { run, words } of installs.filter((install) => !omitsDev(install.words))) {
    problems.push(`line ${run.line}: ${words.join(' ')} in the final image installs the devDependencies too: add --omit=dev`);
  }
  for (const copy of copiedModules) {
    const source = stages.find((stage) => stage.name === copy.from || String(stage.index) === copy.from);
    const omitted = source?.runs.some((run) => shellCommands(run.text, source.env).some((words) => isNpmInstall(words) && omitsDev(words)));
    if (!omitted) problems.push(`line ${copy.line}: COPY --from=${copy.from} node_modules brings a stage's node_modules that was not installed with --omit=dev`);
  }
  if (installs.length === 0 && copiedModules.length === 0) problems.push(`the final stage (line ${final.line}) installs no dependencies: expected RUN npm ci --omit=dev`);
  const user = final.user?.trim();
  if (user === undefined || user === '') problems.push(`no USER in the final stage (line ${final.line}): the server would run as root`);
  else if (/^(root|0)(:.*)?$/.test(user)) problems.push(`USER ${user}: the server would run as root; use the image's user "node" (uid 1000)`);
  const host = final.env.HOST;
  if (host === undefined) problems.push('no ENV HOST: the server would listen on its default, 127.0.0.1, which is unreachable from outside the container');
  else if (/^(127\.|localhost$|::1$)/.test(host)) problems.push(`ENV HOST=${host} is the container's own loopback: port publishing and Services cannot reach it; use 0.0.0.0`);
  const port = final.env.PORT;
  if (port === undefined) problems.push('no ENV PORT in the final stage');
  else if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) problems.push(`ENV PORT=${port} is not a port number`);
  else if (final.expose.length === 0) problems.push(`no EXPOSE: write EXPOSE ${port}, the PORT the server listens on`);
  else if (!final.expose.some((entry) => entry.protocol === 'tcp' && entry.port <= Number(port) && Number(port) <= entry.endPort)) {
    problems.push(`EXPOSE ${final.expose.map((entry) => (entry.endPort === entry.port ? entry.port : `${entry.port}-${entry.endPort}`)).join(' ')} does not include ENV PORT=${port}, the port the server listens on`);
  }
  if (!final.cmd) problems.push('no CMD in the final stage: the image would run the base image\'s command (a bare `node`)');
  else if (!final.cmd.execForm) {
    problems.push(
      `line ${final.cmd.line}: CMD ${final.cmd.text} is the shell form${final.cmd.text.startsWith('[') ? ' (not valid JSON, so Docker treats it as shell text)' : ''}: ` +
        `${final.cmd.argv.slice(0, -1).join(' ')} starts first, and SIGTERM may never reach node; write it as a JSON array, e.g. CMD ["node", "server.mjs"]`,
    );
  }
  if (final.entrypoint && !final.entrypoint.execForm && final.entrypoint.line > final.line) {
    problems.push(`line ${final.entrypoint.line}: ENTRYPOINT ${final.entrypoint.text} is the shell form: it ignores CMD and keeps /bin/sh as PID 1; use a JSON array`);
  }
  return problems;
}

// =============================================================================================
// Dockerfile.dockerignore
// =============================================================================================

export interface DockerIgnore {
  /** The ignore file read, or undefined when there is none (then nothing is left out). */
  file?: string;
  patterns: { text: string; exclusion: boolean; regex: RegExp }[];
  /** True when `relativePath` (slash-separated, relative to the context's root) is left out of the build context. */
  ignores(relativePath: string): boolean;
}

/** One .dockerignore pattern as a regular expression, following Docker's rules (moby's patternmatcher). */
function dockerignoreRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(?:.*/)?';
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (char === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i]}`;
    else source += /[.+()|{}^$]/.test(char) ? `\\${char}` : char;
  }
  return new RegExp(`^${source}$`);
}

/** Parses a .dockerignore's text. */
export function parseDockerignore(text: string, file?: string): DockerIgnore {
  const patterns: DockerIgnore['patterns'] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (!pattern) continue;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    pattern = path.posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') continue;
    patterns.push({ text: pattern, exclusion, regex: dockerignoreRegex(pattern) });
  }
  const ignores = (relativePath: string): boolean => {
    const clean = path.posix.normalize(relativePath.split(path.sep).join('/')).replace(/^\.?\/+/, '');
    const parents = clean.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
    let ignored = false;
    // The last pattern that matches the path or one of its folders decides.
    for (const { exclusion, regex } of patterns) if (parents.some((candidate) => regex.test(candidate))) ignored = !exclusion;
    return ignored;
  };
  const result: DockerIgnore = { patterns, ignores };
  if (file !== undefined) result.file = file;
  return result;
}

/**
 * The ignore file BuildKit uses for `docker build -f <dockerfile> <context>`: `<dockerfile>.dockerignore`
 * beside the Dockerfile, else `<context>/.dockerignore`, else none.
 */
export function readDockerignore(dockerfile: string = DEPLOY_FILES.dockerfile, context: string = ROOT): DockerIgnore {
  for (const file of [`${dockerfile}.dockerignore`, path.join(context, '.dockerignore')]) {
    if (existsSync(file)) return parseDockerignore(readFileSync(file, 'utf8'), file);
  }
  return parseDockerignore('');
}

// =============================================================================================
// (c) config.pbtxt — protobuf text format, the subset Triton's model configurations use
// =============================================================================================

export type PbtxtValue = string | number | boolean | PbtxtMessage | PbtxtValue[];
export interface PbtxtMessage {
  [field: string]: PbtxtValue;
}

/**
 * Parses protobuf text format: `field: value` (strings in "" or '', numbers, identifiers such as
 * TYPE_FP32, true/false), `field { ... }` or `field: { ... }` (also `< ... >`), lists
 * `field: [ a, b ]` / `field [ { ... }, { ... } ]`, `#` comments, optional `,` or `;` between
 * fields. A field given more than once becomes an array of its values, in order (as protobuf's
 * repeated fields). Identifiers stay strings: TYPE_FP32 → "TYPE_FP32". Throws a DeployFileError
 * with `line:column` on anything else.
 */
export function parsePbtxt(text: string, file = 'config.pbtxt'): PbtxtMessage {
  type Token = { kind: 'ident' | 'string' | 'number' | 'punct' | 'end'; value: string; line: number; column: number };
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  const fail = (at: { line: number; column: number }, message: string): never => {
    throw new DeployFileError(file, [`${at.line}:${at.column}: ${message}`]);
  };
  for (let i = 0; i < text.length; ) {
    const char = text[i]!;
    const here = { line, column: i - lineStart + 1 };
    if (char === '\n') {
      line++;
      lineStart = ++i;
    } else if (/\s/.test(char)) i++;
    else if (char === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'ident', value: match, ...here });
      i += match.length;
    } else if (/[-+0-9.]/.test(char)) {
      const match = /^[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[fF]?|inf|nan)/i.exec(text.slice(i))?.[0];
      if (!match) fail(here, `unexpected ${quote(char)}`);
      tokens.push({ kind: 'number', value: match!, ...here });
      i += match!.length;
    } else if (char === '"' || char === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== char; j++) {
        if (text[j] === '\n') fail(here, 'a string cannot span lines');
        if (text[j] !== '\\') {
          value += text[j];
          continue;
        }
        const next = text[++j] ?? '';
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', '?': '?' };
        if (next in simple) value += simple[next];
        else if (next === 'x' && /^[0-9a-fA-F]{1,2}/.test(text.slice(j + 1))) {
          const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(j + 1))![0];
          value += String.fromCharCode(parseInt(hex, 16));
          j += hex.length;
        } else if (/[0-7]/.test(next)) {
          const octal = /^[0-7]{1,3}/.exec(text.slice(j))![0];
          value += String.fromCharCode(parseInt(octal, 8));
          j += octal.length - 1;
        } else fail(here, `unknown escape \\${next} in a string`);
      }
      if (j >= text.length) fail(here, 'unclosed string');
      tokens.push({ kind: 'string', value, ...here });
      i = j + 1;
    } else if ('{}[]<>:,;'.includes(char)) {
      tokens.push({ kind: 'punct', value: char, ...here });
      i++;
    } else fail(here, `unexpected ${quote(char)}`);
  }
  tokens.push({ kind: 'end', value: '', line, column: text.length - lineStart + 1 });

  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const describe = (token: Token) => (token.kind === 'end' ? 'the end of the file' : quote(token.value));
  const expect = (value: string) => {
    const token = next();
    if (token.kind !== 'punct' || token.value !== value) fail(token, `expected "${value}", found ${describe(token)}`);
  };
  const closing: Record<string, string> = { '{': '}', '<': '>' };

  const scalar = (): string | number | boolean => {
    const token = next();
    if (token.kind === 'string') {
      let value = token.value;
      while (peek().kind === 'string') value += next().value; // "a" "b" is "ab"
      return value;
    }
    if (token.kind === 'number') {
      const lower = token.value.toLowerCase().replace(/f$/, '');
      if (/inf$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
      if (/nan$/.test(lower)) return NaN;
      return /^[-+]?0x/.test(lower) ? Number.parseInt(lower, 16) : Number(lower);
    }
    if (token.kind === 'ident') return token.value === 'true' || token.value === 'True' ? true : token.value === 'false' || token.value === 'False' ? false : token.value;
    return fail(token, `expected a value, found ${describe(token)}`);
  };
  const value = (): PbtxtValue => {
    const token = peek();
    if (token.kind === 'punct' && (token.value === '{' || token.value === '<')) {
      next();
      const body = message(closing[token.value]!);
      expect(closing[token.value]!);
      return body;
    }
    return scalar();
  };
  const list = (): PbtxtValue[] => {
    expect('[');
    const items: PbtxtValue[] = [];
    while (!(peek().kind === 'punct' && peek().value === ']')) {
      items.push(value());
      if (peek().kind === 'punct' && peek().value === ',') next();
      else if (!(peek().kind === 'punct' && peek().value === ']')) fail(peek(), `expected "," or "]" in a list, found ${describe(peek())}`);
    }
    expect(']');
    return items;
  };
  const message = (until: string | undefined): PbtxtMessage => {
    const fields: PbtxtMessage = {};
    const repeated = new Set<string>();
    const add = (name: string, entry: PbtxtValue, fromList: boolean) => {
      if (!(name in fields)) {
        fields[name] = entry;
        if (fromList) repeated.add(name);
        return;
      }
      const existing = fields[name]!;
      const asList = repeated.has(name) ? (existing as PbtxtValue[]) : [existing];
      fields[name] = fromList ? [...asList, ...(entry as PbtxtValue[])] : [...asList, entry];
      repeated.add(name);
    };
    for (;;) {
      const token = peek();
      if (token.kind === 'end') {
        if (until !== undefined) fail(token, `expected "${until}" before the end of the file`);
        return fields;
      }
      if (token.kind === 'punct' && token.value === until) return fields;
      if (token.kind !== 'ident') fail(token, `expected a field name, found ${describe(token)}`);
      next();
      const after = peek();
      const colon = after.kind === 'punct' && after.value === ':';
      if (colon) next();
      const start = peek();
      if (start.kind === 'punct' && start.value === '[') add(token.value, list(), true);
      else if (start.kind === 'punct' && (start.value === '{' || start.value === '<')) add(token.value, value(), false);
      else if (!colon) fail(start, `expected ":" or "{" after ${quote(token.value)}, found ${describe(start)}`);
      else add(token.value, scalar(), false);
      if (peek().kind === 'punct' && (peek().value === ',' || peek().value === ';')) next();
    }
  };
  return message(undefined);
}

/** Reads Triton's config.pbtxt (see parsePbtxt). */
export function readTritonConfig(file: string = DEPLOY_FILES.tritonConfig): PbtxtMessage {
  return parsePbtxt(readFileSync(file, 'utf8'), file);
}

// =============================================================================================
// (d) the image's layout, built with the Dockerfile's own esbuild command
// =============================================================================================

/** The esbuild command-line flags this module translates into esbuild's JS API. */
const ESBUILD_FLAGS: Record<string, (options: BuildOptions, value: string | undefined) => void> = {
  bundle: (options) => (options.bundle = true),
  platform: (options, value) => (options.platform = oneOf(value, ['node', 'browser', 'neutral'], 'platform')),
  format: (options, value) => (options.format = oneOf(value, ['esm', 'cjs', 'iife'], 'format')),
  packages: (options, value) => (options.packages = oneOf(value, ['external', 'bundle'], 'packages')),
  target: (options, value) => (options.target = required(value, 'target').split(',')),
  outfile: (options, value) => (options.outfile = required(value, 'outfile')),
  minify: (options) => (options.minify = true),
  'keep-names': (options) => (options.keepNames = true),
  sourcemap: (options, value) => (options.sourcemap = value === undefined ? true : oneOf(value, ['linked', 'inline', 'external', 'both'], 'sourcemap')),
  'legal-comments': (options, value) => (options.legalComments = oneOf(value, ['none', 'inline', 'eof', 'linked', 'external'], 'legal-comments')),
  'log-level': () => undefined, // the API call below is silent and reports errors itself
  'main-fields': (options, value) => (options.mainFields = required(value, 'main-fields').split(',')),
  conditions: (options, value) => (options.conditions = required(value, 'conditions').split(',')),
  tsconfig: (options, value) => (options.tsconfig = required(value, 'tsconfig')),
};

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new Error(`esbuild --${flag} needs a value (--${flag}=...)`);
  return value;
}

function oneOf<const T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (!allowed.includes(value as T)) throw new Error(`esbuild --${flag}=${value ?? ''}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** The esbuild invocation in a RUN line: its entry points and the options its flags stand for. */
export function esbuildCommandOf(run: DockerCommand, vars: Record<string, string> = {}): { entryPoints: string[]; options: BuildOptions } | undefined {
  const commands = run.execForm ? [run.argv] : shellCommands(run.text, vars);
  for (const words of commands) {
    const at = words.findIndex((word) => path.posix.basename(word) === 'esbuild');
    if (at < 0) continue;
    const options: BuildOptions = {};
    const entryPoints: string[] = [];
    for (const word of words.slice(at + 1)) {
      if (!word.startsWith('--')) {
        entryPoints.push(word);
        continue;
      }
      const body = word.slice(2);
      const colon = /^(external|banner|footer|define|alias|loader):(.*)$/.exec(body);
      if (colon) {
        const [, kind, rest = ''] = colon;
        const equals = rest.indexOf('=');
        if (kind === 'external') (options.external ??= []).push(rest);
        else if (kind === 'banner' || kind === 'footer') (options[kind] ??= {})[rest.slice(0, equals)] = rest.slice(equals + 1);
        else if (kind === 'define') (options.define ??= {})[rest.slice(0, equals)] = rest.slice(equals + 1);
        else if (kind === 'alias') (options.alias ??= {})[rest.slice(0, equals)] = rest.slice(equals + 1);
        else (options.loader ??= {})[rest.slice(0, equals)] = rest.slice(equals + 1) as NonNullable<BuildOptions['loader']>[string];
        continue;
      }
      const equals = body.indexOf('=');
      const name = equals < 0 ? body : body.slice(0, equals);
      const translate = ESBUILD_FLAGS[name];
      if (!translate) {
        throw new Error(`line ${run.line}: the esbuild command has --${name}, which bundleLikeTheDockerfile does not translate yet: add it to ESBUILD_FLAGS in tests/support/10-deploy.ts`);
      }
      translate(options, equals < 0 ? undefined : body.slice(equals + 1));
    }
    return { entryPoints, options };
  }
  return undefined;
}

/** What bundleLikeTheDockerfile laid out. */
export interface BundledLayout {
  /** The image's WORKDIR in miniature: `outDir`. */
  dir: string;
  /** The bundle, absolute: <dir>/out/10-stop-and-report/server.mjs */
  bundle: string;
  /** The final CMD ready for spawn(): `node` is this process's node, relative file arguments are absolute. */
  command: string[];
  /** Where to start it: the final stage's WORKDIR, i.e. `dir`. */
  cwd: string;
  /** The final stage's ENV, with paths under its WORKDIR moved into `dir`. */
  env: Record<string, string>;
  /** The final stage's ENV as written in the Dockerfile. */
  dockerEnv: Record<string, string>;
  /** The entry that was bundled (absolute), and the options passed to esbuild's build(). */
  entry: string;
  esbuildOptions: BuildOptions;
  /** Packages imported at run time by the bundle and by the other JavaScript files copied in. */
  externals: string[];
  /** Every file placed in the layout, relative to `dir` (node_modules is a symlink, not listed). */
  files: string[];
}

/** The package a bare import names: "express" → express, "@scope/pkg/sub" → @scope/pkg. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Copies a file or a folder (honouring the ignore rules) the way COPY does; returns the files written, relative to `layout`. */
function copyLikeDocker(options: { source: string; sourceRoot: string; dest: string; destIsDir: boolean; layout: string; ignore?: DockerIgnore; what: string }): string[] {
  const { source, sourceRoot, ignore, layout, what } = options;
  const relative = path.relative(sourceRoot, source).split(path.sep).join('/');
  if (!existsSync(source)) throw new Error(`${what}: ${relative} does not exist`);
  if (ignore?.ignores(relative)) throw new Error(`${what}: ${relative} is left out of the build context by ${ignore.file ? shown(ignore.file) : 'the ignore file'}`);
  const written: string[] = [];
  const walk = (from: string, to: string) => {
    const rel = path.relative(sourceRoot, from).split(path.sep).join('/');
    if (ignore?.ignores(rel)) return;
    if (statSync(from).isDirectory()) {
      mkdirSync(to, { recursive: true });
      for (const entry of readdirSync(from)) walk(path.join(from, entry), path.join(to, entry));
    } else {
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(from, to);
      written.push(path.relative(layout, to).split(path.sep).join('/'));
    }
  };
  // A folder's contents go into dest; a file goes into dest/ (a folder) or becomes dest.
  if (statSync(source).isDirectory()) walk(source, options.dest);
  else walk(source, options.destIsDir ? path.join(options.dest, path.basename(source)) : options.dest);
  return written;
}

/** A COPY's sources, with * and ? expanded against `root` (one path segment each). */
function expandSources(sources: string[], root: string): string[] {
  return sources.flatMap((source) => {
    if (!/[*?[]/.test(source)) return [path.join(root, source)];
    let matches = [root];
    for (const segment of source.split('/').filter(Boolean)) {
      const regex = dockerignoreRegex(segment);
      matches = matches.flatMap((dir) => (existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((entry) => regex.test(entry)).map((entry) => path.join(dir, entry)) : []));
    }
    if (matches.length === 0) throw new Error(`COPY ${source}: no file matches`);
    return matches;
  });
}

/** Where an image path (absolute, or relative to the stage's WORKDIR) lands in a local folder standing for that WORKDIR. */
function localPath(imagePath: string, workdir: string, local: string, what: string): string {
  const absolute = path.posix.resolve(workdir, imagePath);
  const inside = path.posix.relative(workdir, absolute);
  if (inside.startsWith('..')) throw new Error(`${what}: ${imagePath} is outside the WORKDIR (${workdir}), which this layout does not mirror`);
  return path.join(local, ...inside.split('/').filter(Boolean));
}

/** Where rememberedBuild keeps esbuild's results, and how many of them (the newest). */
const BUILD_CACHE = path.join(tmpdir(), 'lesson10-esbuild');
const KEPT_BUILDS = 32;

/** A digest of every file under `dir` (symbolic links followed), its path included, node_modules left out. */
function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      if (name === 'node_modules') continue;
      const child = path.join(relative, name);
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else hash.update(`${child}\0${createHash('sha256').update(readFileSync(path.join(dir, child))).digest('hex')}\0`);
    }
  };
  walk('');
  return hash.digest('hex');
}

interface KeptBuild {
  metafile: Metafile;
  /** The output files, relative to absWorkingDir. */
  outputs: { path: string; base64: string }[];
}

/**
 * Writes a kept build whole, then renames it (two suites at once never read half a file), and drops
 * the oldest. A build that cannot be kept (a full disk, say) is only not kept.
 */
function keepBuild(file: string, kept: KeptBuild): void {
  try {
    mkdirSync(BUILD_CACHE, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(kept));
    renameSync(partial, file);
    const ageOf = (name: string) => statSync(path.join(BUILD_CACHE, name), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const newestFirst = readdirSync(BUILD_CACHE).filter((name) => name.endsWith('.json')).map((name) => ({ name, at: ageOf(name) })).sort((a, b) => b.at - a.at);
    for (const { name } of newestFirst.slice(KEPT_BUILDS)) rmSync(path.join(BUILD_CACHE, name), { force: true });
  } catch {
    // the next run builds it again
  }
}

/**
 * esbuild's build(), its result kept on disk: every run of the suite is a new process, whose first
 * build() also starts esbuild's service (0.1–0.3 s on a busy machine) to make the same bundle as
 * the run before. The key is esbuild's version, the options (paths relative to absWorkingDir) and
 * every file under absWorkingDir but node_modules; a build that read any file outside those is not
 * kept. Outputs are written as build() writes them (unless `write` is false); returns the metafile.
 */
async function rememberedBuild(options: BuildOptions & { absWorkingDir: string; entryPoints: string[] }): Promise<Metafile> {
  const root = options.absWorkingDir;
  const inRoot = (file: string) => path.relative(root, path.resolve(root, file));
  const portable = { ...options, absWorkingDir: undefined, entryPoints: options.entryPoints.map(inRoot), outfile: options.outfile && inRoot(options.outfile) };
  const file = path.join(BUILD_CACHE, `${createHash('sha256').update(JSON.stringify([esbuildVersion, portable, treeDigest(root)])).digest('hex')}.json`);
  let kept: KeptBuild | undefined;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as KeptBuild;
  } catch {
    // not kept yet (or dropped meanwhile): build it
  }
  if (!kept) {
    const result = await build({ ...options, write: false, metafile: true });
    kept = { metafile: result.metafile!, outputs: result.outputFiles!.map((output) => ({ path: path.relative(root, output.path), base64: Buffer.from(output.contents).toString('base64') })) };
    const readOutside = Object.keys(kept.metafile.inputs).some((input) => input.startsWith('..') || path.isAbsolute(input) || input.split('/').includes('node_modules'));
    if (!readOutside) keepBuild(file, kept);
  }
  if (options.write !== false) {
    for (const output of kept.outputs) {
      mkdirSync(path.dirname(path.join(root, output.path)), { recursive: true });
      writeFileSync(path.join(root, output.path), Buffer.from(output.base64, 'base64'));
    }
  }
  return kept.metafile;
}

/** Bare imports of an ES module (not Node's built-ins), found by esbuild without writing anything. */
async function importsOf(file: string): Promise<string[]> {
  return externalsOf(await rememberedBuild({ entryPoints: [file], absWorkingDir: path.dirname(file), bundle: true, packages: 'external', platform: 'node', format: 'esm', write: false, logLevel: 'silent' }));
}

function externalsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const entry of output.imports) {
      if (entry.external && !isBuiltin(entry.path) && !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(entry.path)) found.add(packageOf(entry.path));
    }
  }
  return [...found].sort();
}

/** esbuild's failure as lines a person can act on, with a hint when a file exists in the repository but not in the build stage. */
function esbuildFailure(error: unknown, stageDir: string, root: string): string {
  const messages = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
  if (!Array.isArray(messages)) return error instanceof Error ? error.message : String(error);
  return messages
    .map(({ text, location }) => {
      let hint = '';
      const target = /^Could not resolve "(\.{1,2}\/[^"]+)"/.exec(text)?.[1];
      if (target && location) {
        const wanted = path.relative(stageDir, path.resolve(stageDir, path.dirname(location.file), target));
        if (!wanted.startsWith('..') && existsSync(path.join(root, wanted))) {
          hint = ` — ${wanted} exists in the repository but not in the build stage: COPY it, and let it through the .dockerignore`;
        }
      }
      return `${location ? `${location.file}:${location.line}: ` : ''}${text}${hint}`;
    })
    .join('\n');
}

/**
 * Builds lesson 10 the way the Dockerfile does, without Docker, into `outDir` laid out like the
 * final image's WORKDIR (/app):
 *
 * 1. The build stage: its COPY lines are carried out from `root` into a temporary folder standing
 *    for its WORKDIR, honouring the Dockerfile's .dockerignore (a file the image would not have
 *    is missing here too); its `npm ci` becomes a node_modules symlink to `root`'s; its esbuild RUN
 *    line is parsed and run with esbuild's JS API and the same options. Other RUN lines are skipped.
 * 2. The final stage: its COPY lines are carried out into `outDir` (--from=<build stage> takes the
 *    build stage's output), and its `npm ci` becomes `outDir/node_modules` → `root`'s node_modules.
 * 3. Checks: every file the bundle and the other copied .mjs/.js files open by
 *    `new URL('./…', import.meta.url)` (a bundler leaves those alone) is in the layout; every
 *    package they import is in package.json's `dependencies` (the image installs with --omit=dev,
 *    and the symlinked node_modules here would hide a missing one).
 *
 * One WORKDIR per stage is assumed, and only the build stage can be a COPY --from source.
 * `entry` (absolute, or relative to `root`) is bundled in place of the Dockerfile's entry, at its
 * path in the build stage (for trying this module before that file exists). Throws an Error that
 * says which Dockerfile line or file is at fault. The caller owns `outDir` and removes it.
 */
export async function bundleLikeTheDockerfile(
  root: string,
  outDir: string,
  options: { entry?: string; dockerfile?: string } = {},
): Promise<BundledLayout> {
  const dockerfile = options.dockerfile ?? path.join(root, DEPLOY_PATH, 'Dockerfile');
  const facts = readDockerfile(dockerfile);
  const ignore = readDockerignore(dockerfile, root);
  const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

  const esbuildOf = (run: DockerCommand, vars: Record<string, string>) => {
    try {
      return esbuildCommandOf(run, vars);
    } catch (error) {
      throw new Error(`${shown(dockerfile)}, ${(error as Error).message}`);
    }
  };
  const buildStage = facts.stages.find((stage) => stage.runs.some((run) => esbuildOf(run, stage.env)));
  if (!buildStage) throw new Error(`${shown(dockerfile)}: no RUN line runs esbuild`);
  if (buildStage === facts.final) throw new Error(`${shown(dockerfile)}: the final stage runs esbuild itself; expected a separate build stage`);
  const stageDir = mkdtempSync(path.join(tmpdir(), 'lesson10-build-stage-'));
  try {
    // ---- 1. the build stage
    let bundled: { entry: string; outfile: string; options: BuildOptions; metafile: Metafile } | undefined;
    const linkModules = (dir: string) => {
      const link = path.join(dir, 'node_modules');
      if (!existsSync(link)) symlinkSync(path.join(root, 'node_modules'), link, 'dir');
    };
    const steps = [...buildStage.copies.map((copy) => ({ line: copy.line, copy })), ...buildStage.runs.map((run) => ({ line: run.line, run }))].sort((a, b) => a.line - b.line);
    for (const step of steps) {
      const what = `${shown(dockerfile)}:${step.line}`;
      if ('copy' in step) {
        const { copy } = step;
        if (copy.from !== undefined) throw new Error(`${what}: COPY --from in the build stage is not mirrored by bundleLikeTheDockerfile`);
        const dest = localPath(copy.dest, buildStage.workdir, stageDir, what);
        const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1;
        for (const source of expandSources(copy.sources, root)) copyLikeDocker({ source, sourceRoot: root, dest, destIsDir, layout: stageDir, ignore, what: `${what} COPY` });
        continue;
      }
      const { run } = step;
      const commands = run.execForm ? [run.argv] : shellCommands(run.text, buildStage.env);
      if (commands.some(isNpmInstall)) linkModules(stageDir);
      const command = esbuildOf(run, buildStage.env);
      if (!command) continue;
      if (command.entryPoints.length !== 1) throw new Error(`${what}: expected one entry point for esbuild, found ${command.entryPoints.length}`);
      if (!command.options.outfile) throw new Error(`${what}: the esbuild command has no --outfile`);
      const entryInStage = localPath(command.entryPoints[0]!, buildStage.workdir, stageDir, what);
      if (options.entry !== undefined) {
        mkdirSync(path.dirname(entryInStage), { recursive: true });
        copyFileSync(path.resolve(root, options.entry), entryInStage);
      }
      const outfile = localPath(command.options.outfile, buildStage.workdir, stageDir, what);
      try {
        const metafile = await rememberedBuild({ ...command.options, entryPoints: [entryInStage], outfile, absWorkingDir: stageDir, write: true, logLevel: 'silent' });
        bundled = { entry: options.entry !== undefined ? path.resolve(root, options.entry) : path.join(root, command.entryPoints[0]!), outfile, options: command.options, metafile };
      } catch (error) {
        throw new Error(`${what}: bundling as the Dockerfile does failed:\n${esbuildFailure(error, stageDir, root)}`);
      }
    }
    if (!bundled) throw new Error(`${shown(dockerfile)}: the esbuild RUN line did not run`);

    // ---- 2. the final stage
    const final = facts.final;
    if (final.baseStage !== undefined) throw new Error(`${shown(dockerfile)}:${final.line}: a final stage built FROM another stage is not mirrored by bundleLikeTheDockerfile`);
    mkdirSync(outDir, { recursive: true });
    const files: string[] = [];
    const finalSteps = [...final.copies.map((copy) => ({ line: copy.line, copy })), ...final.runs.map((run) => ({ line: run.line, run }))].sort((a, b) => a.line - b.line);
    for (const step of finalSteps) {
      const what = `${shown(dockerfile)}:${step.line}`;
      if ('run' in step) {
        if ((step.run.execForm ? [step.run.argv] : shellCommands(step.run.text, final.env)).some(isNpmInstall)) linkModules(outDir);
        continue;
      }
      const { copy } = step;
      const dest = localPath(copy.dest, final.workdir, outDir, what);
      const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1;
      if (copy.from === undefined) {
        for (const source of expandSources(copy.sources, root)) files.push(...copyLikeDocker({ source, sourceRoot: root, dest, destIsDir, layout: outDir, ignore, what: `${what} COPY` }));
        continue;
      }
      const from = facts.stages.find((stage) => stage.name === copy.from || String(stage.index) === copy.from);
      if (from !== buildStage) throw new Error(`${what}: COPY --from=${copy.from}: only the build stage (${buildStage.name ?? buildStage.index}) is mirrored`);
      for (const source of copy.sources) {
        const inStage = localPath(source, buildStage.workdir, stageDir, what);
        if (!existsSync(inStage)) throw new Error(`${what}: COPY --from=${copy.from} ${source}: the build stage has no such file (the bundle went to ${bundled.options.outfile})`);
        files.push(...copyLikeDocker({ source: inStage, sourceRoot: stageDir, dest, destIsDir, layout: outDir, what: `${what} COPY` }));
      }
    }

    // ---- 3. what the code opens by path and what it imports must be in the image
    const bundle = path.join(outDir, path.relative(stageDir, bundled.outfile));
    if (!existsSync(bundle)) throw new Error(`${shown(dockerfile)}: the final stage does not COPY the bundle (${bundled.options.outfile}) to the same path`);
    // `new URL('./x', import.meta.url)` is left alone by the bundler: the file must be copied to where the bundle looks.
    const scripts = [bundle, ...files.filter((name) => /\.(mjs|cjs|js)$/.test(name)).map((name) => path.join(outDir, name)).filter((file) => file !== bundle)];
    const absent = scripts.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new URL\(\s*(["'`])(\.{1,2}\/[^"'`]*)\1\s*,\s*import\.meta\.url\s*\)/g)]
        .map((match) => path.resolve(path.dirname(file), match[2]!))
        .filter((target) => !existsSync(target))
        .map((target) => `${path.relative(outDir, file)} opens ${path.relative(outDir, target)} (new URL(…, import.meta.url)), which the final stage does not COPY there`),
    );
    if (absent.length > 0) throw new Error(`${shown(dockerfile)}: ${[...new Set(absent)].join('; ')}`);
    const perFile = new Map<string, string[]>([[path.relative(outDir, bundle), externalsOf(bundled.metafile)]]);
    for (const file of scripts.slice(1)) perFile.set(path.relative(outDir, file), await importsOf(file));
    const dependencies = packageJson.dependencies ?? {};
    const missing = [...perFile].flatMap(([file, names]) => names.filter((name) => !(name in dependencies)).map((name) => `${file} imports "${name}"`));
    if (missing.length > 0) {
      throw new Error(
        `${missing.join('; ')}: not in package.json's dependencies, so the image's npm ci --omit=dev does not install it and the server would stop with ERR_MODULE_NOT_FOUND`,
      );
    }

    const relocate = (value: string) => (value === final.workdir || value.startsWith(`${final.workdir}/`) ? path.join(outDir, value.slice(final.workdir.length)) : value);
    const cmd = [...(final.entrypoint?.execForm ? final.entrypoint.argv : []), ...(final.cmd?.argv ?? [])];
    const command = cmd.map((word, index) => {
      if (index === 0 && word === 'node') return process.execPath;
      const local = path.join(outDir, word);
      return !path.isAbsolute(word) && !word.startsWith('-') && existsSync(local) ? local : relocate(word);
    });
    return {
      dir: outDir,
      bundle,
      command,
      cwd: outDir,
      env: Object.fromEntries(Object.entries(final.env).map(([key, value]) => [key, relocate(value)])),
      dockerEnv: { ...final.env },
      entry: bundled.entry,
      esbuildOptions: bundled.options,
      externals: [...new Set([...perFile.values()].flat())].sort(),
      files: files.sort(),
    };
  } finally {
    rmSync(stageDir, { recursive: true, force: true });
  }
}
