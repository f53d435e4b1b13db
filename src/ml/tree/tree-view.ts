/**
 * The read-only shape of fitted tree ensembles that explanations (TreeSHAP) walk. Gradient boosting
 * and random forest both expose it through `treeEnsemble()`, so explainers never see the compact
 * predictor layout or the training-time nodes.
 */

/** Read-only view of one fitted tree, for explanations. Node 0 is the root. */
export interface TreeView {
  readonly nNodes: number;
  isLeaf(node: number): boolean;
  /** Split feature index of an internal node. */
  feature(node: number): number;
  left(node: number): number;
  right(node: number): number;
  /** Leaf output (already scaled by the learning rate); for internal nodes any value. */
  value(node: number): number;
  /** Training weight (sum of hessians, or row count for RF) that reached the node; > 0. */
  cover(node: number): number;
  /** Whether a row with value `x` for this node's feature goes left (handles NaN and categorical splits). */
  goesLeft(node: number, x: number): boolean;
}
/** A fitted tree ensemble: prediction = baseScore + sum over trees of leaf values (then the loss's inverse link). */
export interface TreeEnsembleView {
  readonly baseScore: number;
  readonly trees: readonly TreeView[];
  /** 'identity' for squared/absolute/huber/quantile; 'log' for poisson/tweedie (prediction = exp(raw)). RF: 'identity' and the trees are averaged: each leaf value already divided by the number of trees. */
  readonly link: 'identity' | 'log';
  readonly nFeatures: number;
}
