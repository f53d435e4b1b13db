/**
 * Trees to and from the typed arrays of an artifact: every tree's node arrays concatenated, with
 * per-tree offsets. Decoding checks the structure (children after their parent and in range,
 * features in range, bitsets in range) so a corrupt artifact fails cleanly instead of looping or
 * reading out of bounds at predict time.
 */
import { SalescastError } from '../../core/errors.js';
import type { ArtifactArray } from '../serialize.js';
import { Tree, type TreeArrays } from './tree.js';

const NODE_FIELDS = [
  'feature',
  'left',
  'right',
  'threshold',
  'flags',
  'catStart',
  'catWords',
  'value',
  'cover',
  'gain',
] as const;

type NodeField = (typeof NODE_FIELDS)[number];

const NODE_TYPES: Record<NodeField, { new (n: number): ArtifactArray; readonly name: string }> = {
  feature: Int32Array,
  left: Int32Array,
  right: Int32Array,
  threshold: Float64Array,
  flags: Uint8Array,
  catStart: Int32Array,
  catWords: Int32Array,
  value: Float64Array,
  cover: Float64Array,
  gain: Float64Array,
};

/** The artifact arrays of `trees`, each name prefixed with `tree.`. */
export function encodeTrees(trees: readonly Tree[]): Record<string, ArtifactArray> {
  const nodeOffsets = new Int32Array(trees.length + 1);
  const bitOffsets = new Int32Array(trees.length + 1);
  trees.forEach((t, k) => {
    nodeOffsets[k + 1] = nodeOffsets[k] + t.nNodes;
    bitOffsets[k + 1] = bitOffsets[k] + t.arrays.catBits.length;
  });
  const out: Record<string, ArtifactArray> = {
    'tree.nodeOffsets': nodeOffsets,
    'tree.bitOffsets': bitOffsets,
    'tree.catBits': new Uint32Array(bitOffsets[trees.length]),
  };
  for (const field of NODE_FIELDS) out[`tree.${field}`] = new NODE_TYPES[field](nodeOffsets[trees.length]);
  trees.forEach((t, k) => {
    for (const field of NODE_FIELDS)
      (out[`tree.${field}`] as ArtifactArray).set(t.arrays[field], nodeOffsets[k]);
    out['tree.catBits'].set(t.arrays.catBits, bitOffsets[k]);
  });
  return out;
}

/** Rebuilds the trees written by `encodeTrees`; throws INVALID_ARTIFACT when they are malformed. */
export function decodeTrees(arrays: Readonly<Record<string, ArtifactArray>>, nFeatures: number): Tree[] {
  const get = <A extends ArtifactArray>(
    name: string,
    T: { new (n: number): A; readonly name: string },
  ): A => {
    const a = Object.hasOwn(arrays, `tree.${name}`) ? arrays[`tree.${name}`] : undefined;
    if (!(a instanceof T)) invalid(`it lacks the ${T.name} 'tree.${name}'`);
    return a;
  };
  const nodeOffsets = get('nodeOffsets', Int32Array);
  const bitOffsets = get('bitOffsets', Int32Array);
  const catBits = get('catBits', Uint32Array);
  const nTrees = nodeOffsets.length - 1;
  if (nTrees < 0 || bitOffsets.length !== nTrees + 1) invalid('its tree offsets disagree');
  const fields = {} as Record<NodeField, ArtifactArray>;
  const total = nodeOffsets[nTrees];
  for (const field of NODE_FIELDS) {
    fields[field] = get(field, NODE_TYPES[field]);
    if (fields[field].length !== total)
      invalid(`'tree.${field}' has ${fields[field].length} nodes; expected ${total}`);
  }
  if (bitOffsets[nTrees] !== catBits.length) invalid('its category bitsets have the wrong length');
  const trees: Tree[] = [];
  for (let k = 0; k < nTrees; k++) {
    const lo = nodeOffsets[k];
    const hi = nodeOffsets[k + 1];
    const blo = bitOffsets[k];
    const bhi = bitOffsets[k + 1];
    if (!(lo >= 0 && hi > lo && hi <= total && blo >= 0 && bhi >= blo && bhi <= catBits.length)) {
      invalid(`tree ${k} has bad offsets`);
    }
    const pick = <A extends ArtifactArray>(field: NodeField): A => fields[field].slice(lo, hi) as A;
    const arrays: TreeArrays = {
      feature: pick('feature'),
      left: pick('left'),
      right: pick('right'),
      threshold: pick('threshold'),
      flags: pick('flags'),
      catStart: pick('catStart'),
      catWords: pick('catWords'),
      catBits: catBits.slice(blo, bhi),
      value: pick('value'),
      cover: pick('cover'),
      gain: pick('gain'),
    };
    checkTree(arrays, nFeatures, k);
    trees.push(new Tree(arrays));
  }
  return trees;
}

function checkTree(a: TreeArrays, nFeatures: number, k: number): void {
  const n = a.feature.length;
  // Every node but the root is some split's child exactly once: a shared node would make the
  // "tree" a graph, which the compiled predictor would copy once per path to it.
  const parents = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (a.feature[i] < 0) continue;
    // Children after their parent guarantees that every walk ends at a leaf.
    const ok =
      a.feature[i] < nFeatures &&
      a.left[i] > i &&
      a.left[i] < n &&
      a.right[i] > i &&
      a.right[i] < n &&
      a.catStart[i] >= 0 &&
      a.catWords[i] >= 0 &&
      a.catStart[i] + a.catWords[i] <= a.catBits.length;
    if (!ok) invalid(`node ${i} of tree ${k} is malformed`);
    parents[a.left[i]]++;
    parents[a.right[i]]++;
  }
  for (let i = 1; i < n; i++) {
    if (parents[i] !== 1) invalid(`node ${i} of tree ${k} has ${parents[i]} parents, not 1`);
  }
}

function invalid(why: string): never {
  throw new SalescastError('INVALID_ARTIFACT', `Invalid model artifact: ${why}.`);
}
