/**
 * a * b + c on four floats. Built twice (see package.json): with relaxed SIMD this is one fused
 * multiply-add where the CPU has one (x86 FMA3, ARM), otherwise a multiply then an add.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
