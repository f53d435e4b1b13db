/**
 * Dense Cholesky solve for the small symmetric systems of linear models (a few hundred unknowns).
 * Hand-written: no well-kept JavaScript linear-algebra library fits a pure, typed-array library.
 */

/**
 * Solves A x = b for a symmetric positive semi-definite `A` (row-major n × n; only the lower
 * triangle is read; neither input is modified).
 *
 * A pivot that is not positive relative to the largest diagonal entry marks a direction the data
 * do not determine (a constant or collinear column with no penalty): its unknown is set to 0 and
 * the column is dropped from the factorisation, like a rank-revealing solver dropping it. For a
 * positive definite `A` (any ridge penalty > 0) this never happens.
 */
export function solveSymmetricPositive(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  const dropped = new Uint8Array(n);
  let maxDiag = 0;
  for (let k = 0; k < n; k++) maxDiag = Math.max(maxDiag, Math.abs(A[k * n + k]));
  const tolerance = maxDiag * n * Number.EPSILON;

  for (let j = 0; j < n; j++) {
    let diag = A[j * n + j];
    for (let k = 0; k < j; k++) diag -= L[j * n + k] * L[j * n + k];
    if (!(diag > tolerance)) {
      dropped[j] = 1;
      continue;
    }
    const ljj = Math.sqrt(diag);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }

  // Forward (L z = b) then backward (Lᵀ x = z) substitution, skipping dropped unknowns; their
  // columns of L are zero, so they do not couple to the others.
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (dropped[i]) continue;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (dropped[i]) continue;
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}
