/**
 * GCC libstdc++'s `std::sort` (introsort), reproduced step for step so that candidates with equal
 * overlap end up in the same order as in the official Anima build (spec section 6). `std::sort`
 * is not stable: with more than 16 elements equal keys can be permuted, and Anima's detection
 * walk can depend on that order.
 *
 * Sorts `items` in place with the strict weak order `less`. Source followed: libstdc++
 * bits/stl_algo.h and bits/stl_heap.h (GCC 12): __introsort_loop, __unguarded_partition_pivot,
 * __move_median_to_first, __unguarded_partition, __partial_sort/heap, __final_insertion_sort.
 */
export function libstdcxxSort(items: Int32Array, less: (a: number, b: number) => boolean): void {
  const n = items.length;
  if (n === 0) return;
  introsortLoop(items, 0, n, 2 * Math.floor(Math.log2(n)), less);
  finalInsertionSort(items, 0, n, less);
}

const THRESHOLD = 16;

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function introsortLoop(a: Int32Array, first: number, last: number, depth: number, less: (x: number, y: number) => boolean): void {
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      heapSort(a, first, last, less);
      return;
    }
    depth--;
    const cut = unguardedPartitionPivot(a, first, last, less);
    introsortLoop(a, cut, last, depth, less);
    last = cut;
  }
}

function unguardedPartitionPivot(a: Int32Array, first: number, last: number, less: (x: number, y: number) => boolean): number {
  const mid = first + Math.floor((last - first) / 2);
  moveMedianToFirst(a, first, first + 1, mid, last - 1, less);
  return unguardedPartition(a, first + 1, last, first, less);
}

function moveMedianToFirst(a: Int32Array, result: number, x: number, y: number, z: number, less: (p: number, q: number) => boolean): void {
  if (less(a[x], a[y])) {
    if (less(a[y], a[z])) swap(a, result, y);
    else if (less(a[x], a[z])) swap(a, result, z);
    else swap(a, result, x);
  } else if (less(a[x], a[z])) swap(a, result, x);
  else if (less(a[y], a[z])) swap(a, result, z);
  else swap(a, result, y);
}

function unguardedPartition(a: Int32Array, first: number, last: number, pivot: number, less: (x: number, y: number) => boolean): number {
  for (;;) {
    while (less(a[first], a[pivot])) first++;
    last--;
    while (less(a[pivot], a[last])) last--;
    if (!(first < last)) return first;
    swap(a, first, last);
    first++;
  }
}

function finalInsertionSort(a: Int32Array, first: number, last: number, less: (x: number, y: number) => boolean): void {
  if (last - first > THRESHOLD) {
    insertionSort(a, first, first + THRESHOLD, less);
    for (let i = first + THRESHOLD; i < last; i++) unguardedLinearInsert(a, i, less);
  } else {
    insertionSort(a, first, last, less);
  }
}

function insertionSort(a: Int32Array, first: number, last: number, less: (x: number, y: number) => boolean): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    if (less(a[i], a[first])) {
      const v = a[i];
      a.copyWithin(first + 1, first, i);
      a[first] = v;
    } else {
      unguardedLinearInsert(a, i, less);
    }
  }
}

function unguardedLinearInsert(a: Int32Array, last: number, less: (x: number, y: number) => boolean): void {
  const v = a[last];
  let next = last - 1;
  while (less(v, a[next])) {
    a[last] = a[next];
    last = next;
    next--;
  }
  a[last] = v;
}

/**
 * std::partial_sort(first, last, last): introsort's fallback when the depth limit is hit.
 * Exported so tests can compare it with GCC directly (random data rarely reaches the fallback).
 */
export function libstdcxxHeapSort(items: Int32Array, less: (a: number, b: number) => boolean): void {
  heapSort(items, 0, items.length, less);
}

// std::__partial_sort(first, last, last): make_heap then sort_heap (heap_select's loop is empty).
function heapSort(a: Int32Array, first: number, last: number, less: (x: number, y: number) => boolean): void {
  const len = last - first;
  if (len >= 2) {
    for (let parent = Math.floor((len - 2) / 2); ; parent--) {
      adjustHeap(a, first, parent, len, a[first + parent], less);
      if (parent === 0) break;
    }
  }
  while (last - first > 1) {
    last--;
    const v = a[last];
    a[last] = a[first];
    adjustHeap(a, first, 0, last - first, v, less);
  }
}

function adjustHeap(a: Int32Array, first: number, hole: number, len: number, value: number, less: (x: number, y: number) => boolean): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (less(a[first + child], a[first + child - 1])) child--;
    a[first + hole] = a[first + child];
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    a[first + hole] = a[first + child - 1];
    hole = child - 1;
  }
  // __push_heap
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && less(a[first + parent], value)) {
    a[first + hole] = a[first + parent];
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  a[first + hole] = value;
}
