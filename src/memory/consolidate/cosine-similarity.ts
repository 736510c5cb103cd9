/** Each vector scaled to length 1 (a zero vector stays zero), so a dot product is the cosine. */
export function unitVectors(vectors: readonly Float32Array[]): Float32Array[] {
  return vectors.map((v) => {
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    const unit = new Float32Array(v.length);
    if (norm > 0) for (let i = 0; i < v.length; i++) unit[i] = v[i]! / norm;
    return unit;
  });
}

/** The dot product of two unit vectors: their cosine similarity. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) dot += a[i]! * b[i]!;
  return dot;
}
