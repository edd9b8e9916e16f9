#!/usr/bin/env bash
# Builds one carerates binary to hand over: the Swift runtime and Foundation linked statically
# (--static-swift-stdlib), and OpenBLAS and LAPACKE (with the Fortran runtime they need) from
# their static archives where the system has them, so that it runs on a Linux machine with no
# Swift toolchain and no BLAS installed. Writes dist/carerates and prints what it links and its
# size. Usage: bash scripts/release.sh [--check] (--check: run it in an empty root, see the end)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
archive_dir=""
for dir in "/usr/lib/$multiarch/openblas-pthread" "/usr/lib/$multiarch"; do
  if [ -f "$dir/libopenblas.a" ]; then archive_dir=$dir; break; fi
done
flags=()
if [ -n "$archive_dir" ] && [ -f "/usr/lib/$multiarch/liblapacke.a" ]; then
  # The module map asks for -llapacke -lopenblas. A folder searched first whose lib*.so are
  # linker scripts naming the static archives (and the Fortran runtime OpenBLAS needs) makes
  # those two link statically, in their place on the command line, and nothing else.
  static=.build-release/static-libs
  mkdir -p "$static"
  echo "INPUT($(realpath "/usr/lib/$multiarch/liblapacke.a"))" > "$static/liblapacke.so"
  echo "INPUT($(realpath "$archive_dir/libopenblas.a") $(realpath "$(gcc -print-file-name=libgfortran.a)") $(realpath "$(gcc -print-file-name=libquadmath.a)"))" > "$static/libopenblas.so"
  flags=(-Xlinker -L"$(realpath "$static")")
  echo "release: OpenBLAS and LAPACKE from their static archives ($archive_dir)"
else
  echo "release: no static OpenBLAS/LAPACKE archives here; building without the LAPACK trait (pure Swift)"
  flags=(--disable-default-traits)
fi
swift build -c release --product carerates --static-swift-stdlib --scratch-path .build-release "${flags[@]}"
mkdir -p dist
cp .build-release/release/carerates dist/carerates
strip dist/carerates 2>/dev/null || true
echo "release: dist/carerates, $(du -h dist/carerates | cut -f1)"
ldd dist/carerates || true

# The check: the binary alone in an empty root with only the C library and its kin (libc, libm,
# the dynamic loader, and gcc's libstdc++ and libgcc_s, which every Debian and Ubuntu system
# has), no Swift and no BLAS, fits the Welsh model. Needs root (chroot); skipped otherwise.
if [ "${1:-}" = "--check" ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "release: --check needs root (chroot); skipped"; exit 0; fi
  root=$(mktemp -d)
  # The Swift runtime reads its arguments from /proc/self/cmdline: the empty root gets /proc.
  mkdir -p "$root/proc"
  mount -t proc proc "$root/proc"
  trap 'umount "$root/proc"; rm -rf "$root"' EXIT
  for lib in $(ldd dist/carerates | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  unexpected=$(ldd dist/carerates | grep -o '/[^ ]*' | grep -v -E '/(libc|libm|libstdc\+\+|libgcc_s)\.so|/ld-linux' || true)
  if [ -n "$unexpected" ]; then echo "release: the binary needs more than the C library: $unexpected" >&2; exit 1; fi
  cp dist/carerates "$root/carerates"
  cp datasets/wales_la_panel.csv "$root/wales_la_panel.csv"
  out=$(chroot "$root" /carerates fit /wales_la_panel.csv -f "children_looked_after ~ children_low_income_pct" \
    --family negbin --exposure population_0_15)
  echo "$out" | grep -q "children_low_income_pct" || { echo "release: the binary did not run alone: $out" >&2; exit 1; }
  echo "release: dist/carerates fits the Welsh model in an empty root (no Swift, no BLAS): $(chroot "$root" /carerates backend | head -1)"
fi
