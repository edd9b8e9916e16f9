#!/usr/bin/env bash
# Builds one carerates binary to hand over: the Swift runtime and Foundation linked statically
# (--static-swift-stdlib), and OpenBLAS and LAPACKE (with the Fortran runtime they need) from
# their static archives where the system has them, so that it runs on a Linux machine with no
# Swift toolchain and no BLAS installed. Writes dist/carerates and prints what it links and its
# size. Usage: bash scripts/release.sh
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
  gfortran=$(gcc -print-file-name=libgfortran.a)
  quadmath=$(gcc -print-file-name=libquadmath.a)
  # The archives first, so that the module map's -llapacke -lopenblas find their symbols
  # resolved; --as-needed then drops the shared libraries from the binary's needs.
  flags=(-Xlinker --as-needed -Xlinker "/usr/lib/$multiarch/liblapacke.a" -Xlinker "$archive_dir/libopenblas.a")
  [ -f "$gfortran" ] && flags+=(-Xlinker "$gfortran")
  [ -f "$quadmath" ] && flags+=(-Xlinker "$quadmath")
  echo "release: OpenBLAS and LAPACKE from $archive_dir and /usr/lib/$multiarch (static archives)"
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
