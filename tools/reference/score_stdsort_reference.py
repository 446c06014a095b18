#!/usr/bin/python3
"""Tie orders of GCC's libstdc++ std::sort, for the emulation in libs/metrics/src/std-sort.ts.

Anima sorts the detection candidates with std::sort on the overlap alone, and std::sort is not
stable beyond 16 elements (docs/msseg2-evaluation.md section 6). This script compiles a small
C++ program with the system g++ (Debian GCC 12), sorts random key sequences with few distinct
values (many ties) the way Anima does (candidate labels 1..n, comparator overlap(a) > overlap(b)),
and records the orders std::sort and std::partial_sort(first, last, last) (introsort's heap-sort
fallback) return.

Run:  /usr/bin/python3 tools/reference/score_stdsort_reference.py
Out:  tools/reference/fixtures/metrics/stdsort_cases.json
"""
import json
import os
import random
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures', 'metrics', 'stdsort_cases.json')

CPP = r'''
#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>
int main() {
  int n;
  while (std::cin >> n) {
    std::vector<std::pair<int, double>> v(n);
    for (int i = 0; i < n; i++) { v[i].first = i + 1; std::cin >> v[i].second; }
    auto w = v;
    auto cmp = [](const std::pair<int, double> &a, const std::pair<int, double> &b) { return a.second > b.second; };
    std::sort(v.begin(), v.end(), cmp);
    std::partial_sort(w.begin(), w.end(), w.end(), cmp);
    for (int i = 0; i < n; i++) std::cout << v[i].first << (i + 1 < n ? ' ' : '\n');
    for (int i = 0; i < n; i++) std::cout << w[i].first << (i + 1 < n ? ' ' : '\n');
  }
}
'''


def main():
    rnd = random.Random(20261126)
    cases = []
    for t in range(160):
        n = rnd.choice([1, 2, 5, 16, 17, 18, 20, 31, 32, 33, 64]) if t < 40 else rnd.randint(17, 130)
        distinct = rnd.choice([1, 2, 3, 5, 20])
        keys = [rnd.randrange(distinct) * 4 for _ in range(n)]
        if t % 7 == 0:
            keys.sort()  # sorted and reverse-sorted runs stress the pivot choice
        if t % 7 == 1:
            keys.sort(reverse=True)
        cases.append(keys)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 'sort.cpp')
        exe = os.path.join(d, 'sort')
        with open(src, 'w') as f:
            f.write(CPP)
        subprocess.run(['g++', '-O2', '-std=c++17', src, '-o', exe], check=True)
        version = subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
        stdin = ''.join(f'{len(k)} {" ".join(map(str, k))}\n' for k in cases)
        lines = subprocess.run([exe], input=stdin, capture_output=True, text=True, check=True).stdout.splitlines()
    out = [{'keys': k, 'sort': [int(x) for x in lines[2 * i].split()], 'heap': [int(x) for x in lines[2 * i + 1].split()]}
           for i, k in enumerate(cases)]
    with open(OUT + '.tmp', 'w') as f:
        json.dump({'generator': 'tools/reference/score_stdsort_reference.py', 'compiler': version, 'cases': out}, f,
                  separators=(',', ':'))
    os.replace(OUT + '.tmp', OUT)
    print(f'wrote {len(out)} cases to {OUT} ({version})')


if __name__ == '__main__':
    main()
