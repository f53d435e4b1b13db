/**
 * The public surface of the learning engine. Importing it also registers every built-in learner
 * with `deserializeLearner`, so artifacts of any kind (including ensembles nesting them) restore.
 */

import { VotingRegressor } from './ensemble.js';
import { GradientBoosting } from './gradient-boosting.js';
import { Ridge } from './linear/ridge.js';
import { RandomForest } from './random-forest.js';
import { registerLearner } from './serialize.js';

registerLearner('GradientBoosting', GradientBoosting.deserialize);
registerLearner('RandomForest', RandomForest.deserialize);
registerLearner('Ridge', Ridge.deserialize);
registerLearner('VotingRegressor', VotingRegressor.deserialize);

export { VotingRegressor, type VotingRegressorParams } from './ensemble.js';
export { type FeatureMatrix, type FitOptions, matrixFromColumns, type Regressor } from './estimator.js';
export { GradientBoosting, type GradientBoostingParams } from './gradient-boosting.js';
export { Ridge, type RidgeParams } from './linear/ridge.js';
export { LOSS_NAMES, type LossName } from './losses.js';
export {
  hyperparameterError,
  type ParamSpec,
  type ParamTable,
  validateParams,
  withDefaults,
} from './params.js';
export { RandomForest, type RandomForestParams } from './random-forest.js';
export {
  ARTIFACT_FORMAT_VERSION,
  type Artifact,
  type ArtifactArray,
  type ArtifactContent,
  artifactArray,
  decodeArtifact,
  decodeLearnerArtifact,
  deserializeLearner,
  encodeArtifact,
  peekLearner,
  registerLearner,
} from './serialize.js';
export type { TreeEnsembleView, TreeView } from './tree/tree-view.js';
export { type ShapValues, shapValues, toResponseScale, treeExpectation } from './treeshap.js';
export { checkFitInput, checkPredictInput, featureCountError } from './validation.js';
