(module
  ;; The inner loop of salescast's histogram kernel (src/ml/tree/histogram.ts, accumulateHistograms,
  ;; with counts), written by hand in WebAssembly to measure what the engine would gain from it.
  ;; 1024 pages = 64 MiB: the benchmark's bins, rows, gradients and histograms.
  (memory (export "mem") 1024)
  ;; accum4: for each node row i, r = rows[i] and (g, h) = gh[2i], gh[2i + 1]; adds (g, h, 1) to the
  ;; bin of r in each of four feature columns (byte offsets c0..c3) of the histograms (o0..o3).
  (func (export "accum4")
    (param $rows i32) (param $gh i32) (param $count i32)
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (local $i i32) (local $r i32) (local $g f64) (local $h f64) (local $o i32) (local $p i32)
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4))))
        (local.set $g (f64.load (local.get $p)))
        (local.set $h (f64.load offset=8 (local.get $p)))
        ;; feature 0
        (local.set $o (i32.add (local.get $o0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $r))) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        ;; feature 1
        (local.set $o (i32.add (local.get $o1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $r))) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        ;; feature 2
        (local.set $o (i32.add (local.get $o2) (i32.mul (i32.load8_u (i32.add (local.get $c2) (local.get $r))) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        ;; feature 3
        (local.set $o (i32.add (local.get $o3) (i32.mul (i32.load8_u (i32.add (local.get $c3) (local.get $r))) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop))))
)
