/**
 * Correlation matrices of the report (build-report.ts): Pearson's r between row-aligned numeric
 * columns, and the same over their ranks for Spearman's rho. Pure arithmetic on typed arrays.
 */

/** Columns of numbers by row (NaN: not a number): the row-aligned numbers, or their ranks. */
export type RowColumn = Float64Array | Float32Array;

/** Rows per block of the correlation passes (a few of every column's rows stay in the L1 and L2 caches). */
const BLOCK = 4096;

/**
 * The correlation matrix of the columns: Pearson's r of each pair over the rows where both are
 * numbers, 1 on the diagonal where defined, null where a column is constant or fewer than 3
 * rows count. `gapped[c]` says whether column c may hold a NaN (a missing or non-numeric cell);
 * a column said to have none is checked, and the whole matrix is computed again as gapped if
 * one has.
 *
 * Two passes over the rows, a block at a time. The first sums each column without a NaN, and
 * counts and sums each pair with a gapped column over their common rows; the second sums the
 * products about the means (the columns' own, or the pair's common rows'). A pair of columns
 * without a NaN so shares its columns' means and sums of squares, and the pairs of a gapped
 * column with whole ones share its count, mean and sum of squares over its own rows. Each sum
 * runs in row order, so every r has the bits a pass per pair would give, and a column without a
 * NaN said to be gapped gets the same bits as well (its common rows are all rows). The loops
 * take several sums at once (four columns or partners, two pairs of gapped columns), since one
 * sum alone waits on its previous addition at every row.
 * Each column's block is copied to a Float64Array, so that the loops read one kind of array
 * (ranks are Float32Arrays), which keeps V8's code for them fast.
 */
export function symmetric(columns: readonly RowColumn[], gapped: readonly boolean[] = columns.map(() => true)): Array<Array<number | null>> {
  const k = columns.length;
  const m = columns.map(() => new Array<number | null>(k).fill(null));
  const rows = k === 0 ? 0 : (columns[0] as RowColumn).length;
  const set = (i: number, j: number, sxy: number, sxx: number, syy: number): void => {
    const r = sxx === 0 || syy === 0 ? null : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    (m[i] as Array<number | null>)[j] = r;
    (m[j] as Array<number | null>)[i] = r;
  };
  const views = columns.map(() => new Float64Array(BLOCK));
  const load = (c: number, from: number, length: number): void => {
    (views[c] as Float64Array).set((columns[c] as RowColumn).subarray(from, from + length));
  };
  const whole: number[] = [];
  for (let c = 0; c < k; c++) if (gapped[c] !== true) whole.push(c);
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < whole.length; a++) for (let b = a + 1; b < whole.length; b++) pairs.push([whole[a] as number, whole[b] as number]);
  // A gapped column with the whole ones (and itself): their common rows are its own, so its
  // count, sum and sum of squares serve them all, and each whole partner adds its own sums over
  // those rows (four partners a loop; a group short of four is filled with the column itself).
  const groups: Array<{ column: number; partners: number[]; real: number }> = [];
  for (let c = 0; c < k; c++) {
    if (gapped[c] !== true) continue;
    let at = 0;
    do {
      const partners = whole.slice(at, at + 4);
      const real = partners.length;
      while (partners.length < 4) partners.push(c);
      groups.push({ column: c, partners, real });
      at += 4;
    } while (at < whole.length);
  }
  // Pairs of gapped columns: rows common to both.
  const common: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) if (gapped[i] === true && gapped[j] === true) common.push([i, j]);
  // Pass 1: the sums of the columns without a NaN; each gapped column's count and sum over its
  // own rows, with its whole partners' sums there; the common rows of two gapped columns.
  const sums = new Float64Array(k + 1);
  const sumTasks = lanes(whole.map((c) => [c, c, c]), 4, k);
  // Per group: its column's count of numbers and their sum, then each partner's sum over them.
  const masked = new Float64Array(6 * groups.length);
  const commonSums = new Float64Array(common.length * 3 + 3);
  const commonTasks = lanes(common.map(([i, j], p) => [i, j, 3 * p]), 2, common.length * 3);
  for (let from = 0; from < rows; from += BLOCK) {
    const length = Math.min(BLOCK, rows - from);
    for (let c = 0; c < k; c++) load(c, from, length);
    for (let t = 0; t < sumTasks.length; t += 12) sum4(views, sumTasks, t, length, sums);
    groups.forEach((q, at) => maskedSums4(views, q.column, q.partners, length, masked, 6 * at));
    for (let t = 0; t < commonTasks.length; t += 6) commonSums2(views, commonTasks, t, length, commonSums);
  }
  // A NaN where none was said to be: every column is taken as gapped.
  if (whole.some((c) => (sums[c] as number) !== (sums[c] as number))) return symmetric(columns);
  const means = new Float64Array(k);
  for (const c of whole) means[c] = (sums[c] as number) / rows;
  // Pass 2: sums of squares and of products of the whole columns (squares[0 … w−1], then the
  // pairs'); the same about their common rows' means for the pairs with a gapped column.
  const squared = [...whole.map((c): [number, number] => [c, c]), ...pairs];
  const products = new Float64Array(squared.length + 1);
  const productTasks = lanes(squared.map(([i, j], p) => [i, j, p]), 4, squared.length);
  const centred = new Float64Array(common.length * 3 + 3);
  // Per group: its column's sum of squares, then each partner's sum of products and of squares.
  const spread = new Float64Array(9 * groups.length);
  for (let from = 0; from < rows; from += BLOCK) {
    const length = Math.min(BLOCK, rows - from);
    for (let c = 0; c < k; c++) load(c, from, length);
    for (let t = 0; t < productTasks.length; t += 12) products4(views, productTasks, t, means, length, products);
    groups.forEach((q, at) => maskedProducts4(views, q.column, q.partners, masked, 6 * at, length, spread, 9 * at));
    for (let t = 0; t < commonTasks.length; t += 6) commonProducts2(views, commonTasks, t, commonSums, length, centred);
  }
  if (rows >= 3) {
    whole.forEach((c, w) => set(c, c, products[w] as number, products[w] as number, products[w] as number));
    pairs.forEach(([i, j], p) => set(i, j, products[whole.length + p] as number, products[whole.indexOf(i)] as number, products[whole.indexOf(j)] as number));
  }
  groups.forEach((q, at) => {
    if ((masked[6 * at] as number) < 3) return;
    const sxx = spread[9 * at] as number;
    set(q.column, q.column, sxx, sxx, sxx);
    for (let p = 0; p < q.real; p++) set(q.column, q.partners[p] as number, spread[9 * at + 1 + 2 * p] as number, sxx, spread[9 * at + 2 + 2 * p] as number);
  });
  common.forEach(([i, j], p) => {
    if ((commonSums[3 * p] as number) < 3) return;
    set(i, j, centred[3 * p] as number, centred[3 * p + 1] as number, centred[3 * p + 2] as number);
  });
  return m;
}

/**
 * Tasks (x column, y column, accumulator slot) laid out `width` to a group, three numbers each;
 * the last group is filled up with copies of the last task aimed at the slot `spare`, whose sums
 * are thrown away.
 */
function lanes(tasks: ReadonlyArray<readonly [number, number, number]>, width: number, spare: number): Int32Array {
  const groups = Math.ceil(tasks.length / width);
  const out = new Int32Array(groups * width * 3);
  for (let t = 0; t < groups * width; t++) {
    const task = tasks[Math.min(t, tasks.length - 1)] as readonly [number, number, number];
    out[3 * t] = task[0];
    out[3 * t + 1] = task[1];
    out[3 * t + 2] = t < tasks.length ? task[2] : spare;
  }
  return out;
}

/** Adds the first `length` values of four columns (tasks t … t + 11: column, unused, slot) to their sums, in row order (NaN if one is NaN). */
function sum4(v: readonly Float64Array[], tasks: Int32Array, t: number, length: number, out: Float64Array): void {
  const a = v[tasks[t] as number] as Float64Array;
  const b = v[tasks[t + 3] as number] as Float64Array;
  const c = v[tasks[t + 6] as number] as Float64Array;
  const d = v[tasks[t + 9] as number] as Float64Array;
  const sa = tasks[t + 2] as number;
  const sb = tasks[t + 5] as number;
  const sc = tasks[t + 8] as number;
  const sd = tasks[t + 11] as number;
  let s0 = out[sa] as number;
  let s1 = out[sb] as number;
  let s2 = out[sc] as number;
  let s3 = out[sd] as number;
  for (let i = 0; i < length; i++) {
    s0 += a[i] as number;
    s1 += b[i] as number;
    s2 += c[i] as number;
    s3 += d[i] as number;
  }
  out[sd] = s3;
  out[sc] = s2;
  out[sb] = s1;
  out[sa] = s0;
}

/** Adds Σ (x − mx)(y − my) over the first `length` rows, in order, for four pairs (tasks t … t + 11: x, y, slot). */
function products4(v: readonly Float64Array[], tasks: Int32Array, t: number, means: Float64Array, length: number, out: Float64Array): void {
  const x0 = v[tasks[t] as number] as Float64Array;
  const y0 = v[tasks[t + 1] as number] as Float64Array;
  const x1 = v[tasks[t + 3] as number] as Float64Array;
  const y1 = v[tasks[t + 4] as number] as Float64Array;
  const x2 = v[tasks[t + 6] as number] as Float64Array;
  const y2 = v[tasks[t + 7] as number] as Float64Array;
  const x3 = v[tasks[t + 9] as number] as Float64Array;
  const y3 = v[tasks[t + 10] as number] as Float64Array;
  const mx0 = means[tasks[t] as number] as number;
  const my0 = means[tasks[t + 1] as number] as number;
  const mx1 = means[tasks[t + 3] as number] as number;
  const my1 = means[tasks[t + 4] as number] as number;
  const mx2 = means[tasks[t + 6] as number] as number;
  const my2 = means[tasks[t + 7] as number] as number;
  const mx3 = means[tasks[t + 9] as number] as number;
  const my3 = means[tasks[t + 10] as number] as number;
  const s0at = tasks[t + 2] as number;
  const s1at = tasks[t + 5] as number;
  const s2at = tasks[t + 8] as number;
  const s3at = tasks[t + 11] as number;
  let s0 = out[s0at] as number;
  let s1 = out[s1at] as number;
  let s2 = out[s2at] as number;
  let s3 = out[s3at] as number;
  for (let i = 0; i < length; i++) {
    s0 += ((x0[i] as number) - mx0) * ((y0[i] as number) - my0);
    s1 += ((x1[i] as number) - mx1) * ((y1[i] as number) - my1);
    s2 += ((x2[i] as number) - mx2) * ((y2[i] as number) - my2);
    s3 += ((x3[i] as number) - mx3) * ((y3[i] as number) - my3);
  }
  out[s3at] = s3;
  out[s2at] = s2;
  out[s1at] = s1;
  out[s0at] = s0;
}

/**
 * Adds, over the rows where column x is a number, their count to out[at], x's sum to out[at + 1]
 * and each of the four partners' sums to out[at + 2 …], in row order (a partner has no NaN).
 */
function maskedSums4(v: readonly Float64Array[], column: number, partners: readonly number[], length: number, out: Float64Array, at: number): void {
  const x = v[column] as Float64Array;
  const w0 = v[partners[0] as number] as Float64Array;
  const w1 = v[partners[1] as number] as Float64Array;
  const w2 = v[partners[2] as number] as Float64Array;
  const w3 = v[partners[3] as number] as Float64Array;
  let n = out[at] as number;
  let sx = out[at + 1] as number;
  let s0 = out[at + 2] as number;
  let s1 = out[at + 3] as number;
  let s2 = out[at + 4] as number;
  let s3 = out[at + 5] as number;
  for (let i = 0; i < length; i++) {
    const a = x[i] as number;
    if (a !== a) continue;
    n++;
    sx += a;
    s0 += w0[i] as number;
    s1 += w1[i] as number;
    s2 += w2[i] as number;
    s3 += w3[i] as number;
  }
  out[at] = n;
  out[at + 1] = sx;
  out[at + 2] = s0;
  out[at + 3] = s1;
  out[at + 4] = s2;
  out[at + 5] = s3;
}

/**
 * Over the rows where column x is a number, about the means of those rows (from maskedSums4's
 * sums at sums[from …]): adds Σ(x − mx)² to out[at], and for each partner Σ(x − mx)(y − my) and
 * Σ(y − my)² to out[at + 1 + 2p] and out[at + 2 + 2p], in row order.
 */
function maskedProducts4(v: readonly Float64Array[], column: number, partners: readonly number[], sums: Float64Array, from: number, length: number, out: Float64Array, at: number): void {
  const x = v[column] as Float64Array;
  const w0 = v[partners[0] as number] as Float64Array;
  const w1 = v[partners[1] as number] as Float64Array;
  const w2 = v[partners[2] as number] as Float64Array;
  const w3 = v[partners[3] as number] as Float64Array;
  const n = sums[from] as number;
  const mx = (sums[from + 1] as number) / n;
  const m0 = (sums[from + 2] as number) / n;
  const m1 = (sums[from + 3] as number) / n;
  const m2 = (sums[from + 4] as number) / n;
  const m3 = (sums[from + 5] as number) / n;
  let sxx = out[at] as number;
  let sxy0 = out[at + 1] as number;
  let syy0 = out[at + 2] as number;
  let sxy1 = out[at + 3] as number;
  let syy1 = out[at + 4] as number;
  let sxy2 = out[at + 5] as number;
  let syy2 = out[at + 6] as number;
  let sxy3 = out[at + 7] as number;
  let syy3 = out[at + 8] as number;
  for (let i = 0; i < length; i++) {
    const a = x[i] as number;
    if (a !== a) continue;
    const d = a - mx;
    sxx += d * d;
    const e0 = (w0[i] as number) - m0;
    sxy0 += d * e0;
    syy0 += e0 * e0;
    const e1 = (w1[i] as number) - m1;
    sxy1 += d * e1;
    syy1 += e1 * e1;
    const e2 = (w2[i] as number) - m2;
    sxy2 += d * e2;
    syy2 += e2 * e2;
    const e3 = (w3[i] as number) - m3;
    sxy3 += d * e3;
    syy3 += e3 * e3;
  }
  out[at] = sxx;
  out[at + 1] = sxy0;
  out[at + 2] = syy0;
  out[at + 3] = sxy1;
  out[at + 4] = syy1;
  out[at + 5] = sxy2;
  out[at + 6] = syy2;
  out[at + 7] = sxy3;
  out[at + 8] = syy3;
}

/**
 * For two pairs (tasks t … t + 5: x, y, slot), adds the rows where both are numbers to
 * out[slot] (their count), out[slot + 1] (Σx) and out[slot + 2] (Σy).
 */
function commonSums2(v: readonly Float64Array[], tasks: Int32Array, t: number, length: number, out: Float64Array): void {
  const x0 = v[tasks[t] as number] as Float64Array;
  const y0 = v[tasks[t + 1] as number] as Float64Array;
  const x1 = v[tasks[t + 3] as number] as Float64Array;
  const y1 = v[tasks[t + 4] as number] as Float64Array;
  const p = tasks[t + 2] as number;
  const q = tasks[t + 5] as number;
  let n0 = out[p] as number;
  let sx0 = out[p + 1] as number;
  let sy0 = out[p + 2] as number;
  let n1 = out[q] as number;
  let sx1 = out[q + 1] as number;
  let sy1 = out[q + 2] as number;
  for (let i = 0; i < length; i++) {
    const a = x0[i] as number;
    const b = y0[i] as number;
    if (a === a && b === b) {
      n0++;
      sx0 += a;
      sy0 += b;
    }
    const c = x1[i] as number;
    const d = y1[i] as number;
    if (c === c && d === d) {
      n1++;
      sx1 += c;
      sy1 += d;
    }
  }
  out[q] = n1;
  out[q + 1] = sx1;
  out[q + 2] = sy1;
  out[p] = n0;
  out[p + 1] = sx0;
  out[p + 2] = sy0;
}

/**
 * For two pairs (tasks t … t + 5: x, y, slot; their common rows' count and sums in `common` at
 * the slot), adds Σ(x − mx)(y − my), Σ(x − mx)² and Σ(y − my)² over the rows where both are
 * numbers to out[slot … slot + 2].
 */
function commonProducts2(v: readonly Float64Array[], tasks: Int32Array, t: number, common: Float64Array, length: number, out: Float64Array): void {
  const x0 = v[tasks[t] as number] as Float64Array;
  const y0 = v[tasks[t + 1] as number] as Float64Array;
  const x1 = v[tasks[t + 3] as number] as Float64Array;
  const y1 = v[tasks[t + 4] as number] as Float64Array;
  const p = tasks[t + 2] as number;
  const q = tasks[t + 5] as number;
  const mx0 = (common[p + 1] as number) / (common[p] as number);
  const my0 = (common[p + 2] as number) / (common[p] as number);
  const mx1 = (common[q + 1] as number) / (common[q] as number);
  const my1 = (common[q + 2] as number) / (common[q] as number);
  let sxy0 = out[p] as number;
  let sxx0 = out[p + 1] as number;
  let syy0 = out[p + 2] as number;
  let sxy1 = out[q] as number;
  let sxx1 = out[q + 1] as number;
  let syy1 = out[q + 2] as number;
  for (let i = 0; i < length; i++) {
    const a = x0[i] as number;
    const b = y0[i] as number;
    if (a === a && b === b) {
      sxy0 += (a - mx0) * (b - my0);
      sxx0 += (a - mx0) * (a - mx0);
      syy0 += (b - my0) * (b - my0);
    }
    const c = x1[i] as number;
    const d = y1[i] as number;
    if (c === c && d === d) {
      sxy1 += (c - mx1) * (d - my1);
      sxx1 += (c - mx1) * (c - mx1);
      syy1 += (d - my1) * (d - my1);
    }
  }
  out[q] = sxy1;
  out[q + 1] = sxx1;
  out[q + 2] = syy1;
  out[p] = sxy0;
  out[p + 1] = sxx0;
  out[p + 2] = syy0;
}
