(module
  ;; out[r, j] = init(r, j) + sum_i x[r, i] * w[j, i]   (w is the weight matrix TRANSPOSED: [n, m])
  ;; init = out[r, j] when $acc, else bias[j] when $bias != 0, else 0. All pointers are byte
  ;; offsets into the imported memory; x is [rows, m], out is [rows, n], row-major float32.
  (import "env" "memory" (memory 1))

  ;; sum_i a[i] * b[i] over m floats, four at a time, then the tail.
  (func $dot (param $a i32) (param $b i32) (param $m i32) (result f32)
    (local $s v128) (local $k i32) (local $end4 i32) (local $end i32) (local $t f32)
    (local.set $end4 (i32.shl (i32.and (local.get $m) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $m) (i32.const 2)))
    (local.set $s (v128.const f32x4 0 0 0 0))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $k) (local.get $end4)))
        (local.set $s (f32x4.add (local.get $s)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $k)))
                     (v128.load (i32.add (local.get $b) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $simd)))
    (local.set $t (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $t (f32.add (local.get $t)
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $k)))
                   (f32.load (i32.add (local.get $b) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $tail)))
    (local.get $t))

  ;; The starting value of out[r, j] (at byte $at; column $j).
  (func $init (param $at i32) (param $j i32) (param $bias i32) (param $acc i32) (result f32)
    (if (result f32) (local.get $acc)
      (then (f32.load (local.get $at)))
      (else (if (result f32) (local.get $bias)
        (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (else (f32.const 0))))))

  ;; The four lanes of $v summed.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; The tail (i from m4 to m) of one row-by-column dot product, added to $s.
  (func $tail (param $s f32) (param $a i32) (param $b i32) (param $from i32) (param $end i32) (result f32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $s (f32.add (local.get $s)
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $from)))
                   (f32.load (i32.add (local.get $b) (local.get $from))))))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (br $next)))
    (local.get $s))

  (func (export "gemm") (param $x i32) (param $rows i32) (param $m i32) (param $w i32) (param $n i32)
                        (param $out i32) (param $bias i32) (param $acc i32)
    (local $r i32) (local $j i32) (local $k i32) (local $row i32) (local $end4 i32) (local $end i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $w0 i32) (local $w1 i32)
    (local $o i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $u v128) (local $v v128) (local $p v128)
    (local.set $row (i32.shl (local.get $m) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $m) (i32.const -4)) (i32.const 2)))
    (local.set $end (local.get $row))
    ;; Blocks of 4 rows x 2 columns: each weight vector loaded once for 4 rows.
    (block $rows_done
      (loop $rows4
        (br_if $rows_done (i32.gt_s (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $row))))
        (local.set $x1 (i32.add (local.get $x0) (local.get $row)))
        (local.set $x2 (i32.add (local.get $x1) (local.get $row)))
        (local.set $x3 (i32.add (local.get $x2) (local.get $row)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols2
            (br_if $cols_done (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
            (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $row))))
            (local.set $w1 (i32.add (local.get $w0) (local.get $row)))
            (local.set $a0 (v128.const f32x4 0 0 0 0)) (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0)) (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $b0 (v128.const f32x4 0 0 0 0)) (local.set $b1 (v128.const f32x4 0 0 0 0))
            (local.set $b2 (v128.const f32x4 0 0 0 0)) (local.set $b3 (v128.const f32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $k_done
              (loop $kloop
                (br_if $k_done (i32.ge_u (local.get $k) (local.get $end4)))
                (local.set $u (v128.load (i32.add (local.get $w0) (local.get $k))))
                (local.set $v (v128.load (i32.add (local.get $w1) (local.get $k))))
                (local.set $p (v128.load (i32.add (local.get $x0) (local.get $k))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $p) (local.get $u))))
                (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $p) (local.get $v))))
                (local.set $p (v128.load (i32.add (local.get $x1) (local.get $k))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $p) (local.get $u))))
                (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $p) (local.get $v))))
                (local.set $p (v128.load (i32.add (local.get $x2) (local.get $k))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $p) (local.get $u))))
                (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $p) (local.get $v))))
                (local.set $p (v128.load (i32.add (local.get $x3) (local.get $k))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $p) (local.get $u))))
                (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $p) (local.get $v))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $kloop)))
            ;; out[r + q, j] and out[r + q, j + 1] for q = 0..3
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2))))
            (call $store2 (local.get $o) (local.get $j) (local.get $bias) (local.get $acc)
              (call $tail (call $hsum (local.get $a0)) (local.get $x0) (local.get $w0) (local.get $end4) (local.get $end))
              (call $tail (call $hsum (local.get $b0)) (local.get $x0) (local.get $w1) (local.get $end4) (local.get $end)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
            (call $store2 (local.get $o) (local.get $j) (local.get $bias) (local.get $acc)
              (call $tail (call $hsum (local.get $a1)) (local.get $x1) (local.get $w0) (local.get $end4) (local.get $end))
              (call $tail (call $hsum (local.get $b1)) (local.get $x1) (local.get $w1) (local.get $end4) (local.get $end)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
            (call $store2 (local.get $o) (local.get $j) (local.get $bias) (local.get $acc)
              (call $tail (call $hsum (local.get $a2)) (local.get $x2) (local.get $w0) (local.get $end4) (local.get $end))
              (call $tail (call $hsum (local.get $b2)) (local.get $x2) (local.get $w1) (local.get $end4) (local.get $end)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
            (call $store2 (local.get $o) (local.get $j) (local.get $bias) (local.get $acc)
              (call $tail (call $hsum (local.get $a3)) (local.get $x3) (local.get $w0) (local.get $end4) (local.get $end))
              (call $tail (call $hsum (local.get $b3)) (local.get $x3) (local.get $w1) (local.get $end4) (local.get $end)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $cols2)))
        ;; An odd last column, for these 4 rows.
        (if (i32.lt_s (local.get $j) (local.get $n))
          (then (call $column (local.get $x) (local.get $r) (i32.add (local.get $r) (i32.const 4)) (local.get $m)
                  (local.get $w) (local.get $n) (local.get $out) (local.get $bias) (local.get $acc) (local.get $j))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; The last rows (fewer than 4), every column.
    (local.set $j (i32.const 0))
    (block $last_done
      (loop $last
        (br_if $last_done (i32.ge_s (local.get $j) (local.get $n)))
        (call $column (local.get $x) (local.get $r) (local.get $rows) (local.get $m)
          (local.get $w) (local.get $n) (local.get $out) (local.get $bias) (local.get $acc) (local.get $j))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $last))))

  ;; out[at] = init + s0, out[at + 1] = init' + s1 (columns $j, $j + 1)
  (func $store2 (param $at i32) (param $j i32) (param $bias i32) (param $acc i32) (param $s0 f32) (param $s1 f32)
    (f32.store (local.get $at)
      (f32.add (call $init (local.get $at) (local.get $j) (local.get $bias) (local.get $acc)) (local.get $s0)))
    (f32.store (i32.add (local.get $at) (i32.const 4))
      (f32.add (call $init (i32.add (local.get $at) (i32.const 4)) (i32.add (local.get $j) (i32.const 1))
        (local.get $bias) (local.get $acc)) (local.get $s1))))

  ;; Column $j of rows [from, to), one dot product each.
  (func $column (param $x i32) (param $from i32) (param $to i32) (param $m i32) (param $w i32) (param $n i32)
                (param $out i32) (param $bias i32) (param $acc i32) (param $j i32)
    (local $at i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $from) (local.get $to)))
        (local.set $at (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (local.get $from) (local.get $n)) (local.get $j)) (i32.const 2))))
        (f32.store (local.get $at)
          (f32.add (call $init (local.get $at) (local.get $j) (local.get $bias) (local.get $acc))
            (call $dot
              (i32.add (local.get $x) (i32.shl (i32.mul (local.get $from) (local.get $m)) (i32.const 2)))
              (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $m)) (i32.const 2)))
              (local.get $m))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $next)))))
