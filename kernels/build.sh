#!/usr/bin/env bash
# Builds the kernels module's native artifacts (run by Maven in generate-resources; usable by hand):
#   1. the emulator library: every .cu compiled by g++ against kernels/emu -> native/linux-x86_64/libsodec_kernels_emu.so
#   2. when nvcc exists: one fatbin for sm_80, sm_90 and compute_90 PTX -> kernels/sodec_kernels.fatbin, plus a
#      ptxas resource report per kernel (kernels/ptxas-report.txt); the build fails if any kernel spills registers.
#   3. when cuobjdump exists too ($SODEC_CUOBJDUMP, else beside nvcc): the SASS of the fatbin, counted per kernel and
#      architecture (HMMA, LDSM, LDGSTS -> kernels/sass-report.txt); the build fails if a tensor-core kernel
#      (tc_attention_*, tc_conv2d_*, tc_gemm_*) has no HMMA instruction for sm_80 or sm_90.
# Usage: build.sh <module dir> <classes output dir> <work dir>
set -euo pipefail

MODULE=${1:?module dir}
CLASSES=${2:?classes dir}
WORK=${3:?work dir}
SRC="$MODULE/src/main/cuda"
EMU="$MODULE/emu"
NVCC=${SODEC_NVCC:-/usr/local/cuda/bin/nvcc}
CUOBJDUMP=${SODEC_CUOBJDUMP:-$(dirname "$NVCC")/cuobjdump}
CXX=${CXX:-g++}

mkdir -p "$WORK/emu-obj" "$CLASSES/native/linux-x86_64" "$CLASSES/kernels"

shopt -s nullglob
SOURCES=("$SRC"/*.cu)
# This script counts as a header: changed flags rebuild everything.
HEADERS=("$SRC"/*.h "$SRC"/*.cuh "$EMU"/*.h "$MODULE/build.sh")
if [ ${#SOURCES[@]} -eq 0 ]; then echo "build.sh: no .cu sources in $SRC" >&2; exit 1; fi

# newer_than OUT INPUT... : true when OUT is missing or older than any input
newer_than() {
    local out=$1; shift
    [ -e "$out" ] || return 0
    local f
    for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
    return 1
}

# ---- 1. emulator library (g++, required) ----
if ! command -v "$CXX" >/dev/null; then
    echo "build.sh: $CXX not found; the kernel emulator library cannot be built" >&2
    exit 1
fi
CXXFLAGS=(-O2 -std=c++20 -fPIC -fvisibility=hidden -pthread -Wall -Wno-unknown-pragmas -Wno-unused-variable -I"$EMU" -I"$SRC")
OBJS=()
for cu in "${SOURCES[@]}" "$EMU"/*.cpp; do
    obj="$WORK/emu-obj/$(basename "$cu").o"
    OBJS+=("$obj")
    if newer_than "$obj" "$cu" "${HEADERS[@]}"; then
        echo "g++ $(basename "$cu")"
        "$CXX" "${CXXFLAGS[@]}" -x c++ -c "$cu" -o "$obj"
    fi
done
SO="$CLASSES/native/linux-x86_64/libsodec_kernels_emu.so"
if newer_than "$SO" "${OBJS[@]}"; then
    "$CXX" -shared -pthread -o "$SO" "${OBJS[@]}"
    echo "built $SO"
fi

# ---- 2. fatbin + ptxas report (nvcc, optional) ----
if [ ! -x "$NVCC" ]; then
    echo "build.sh: no nvcc at $NVCC; skipping the fatbin (tests use the emulator)"
    exit 0
fi
FATBIN="$CLASSES/kernels/sodec_kernels.fatbin"
REPORT="$WORK/ptxas-report.txt"
if newer_than "$FATBIN" "${SOURCES[@]}" "${HEADERS[@]}" || [ ! -e "$REPORT" ]; then
    # One translation unit so the fatbin is one module (cuModuleLoadData) holding every kernel.
    ALL="$WORK/sodec_kernels_all.cu"
    : > "$ALL"
    for cu in "${SOURCES[@]}"; do echo "#include \"$(realpath "$cu")\"" >> "$ALL"; done
    echo "nvcc -fatbin (sm_80, sm_90, compute_90)"
    "$NVCC" -fatbin -O3 -std=c++17 -I"$SRC" \
        -gencode arch=compute_80,code=sm_80 \
        -gencode arch=compute_90,code=sm_90 \
        -gencode arch=compute_90,code=compute_90 \
        -Xptxas -v -o "$FATBIN.tmp" "$ALL" 2> "$REPORT.raw" || { cat "$REPORT.raw" >&2; exit 1; }
    # Compiler warnings are not ptxas info: show them (the raw log is kept beside the report).
    grep -i "warning" "$REPORT.raw" >&2 || true
    # Summarise: one line per kernel and architecture: registers, stack, spills, shared memory.
    awk '
        /Compiling entry function/ { match($0, /'\''[^'\'']+'\''/); fn = substr($0, RSTART + 1, RLENGTH - 2);
                                     match($0, /for '\''sm_[0-9a-z]+'\''/); arch = substr($0, RSTART + 5, RLENGTH - 6) }
        /bytes stack frame/ { split($0, a, ","); stack = a[1]; gsub(/[^0-9]/, "", stack);
                              st = a[2]; gsub(/[^0-9]/, "", st); ld = a[3]; gsub(/[^0-9]/, "", ld) }
        /Used [0-9]+ registers/ { match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15);
                                  smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11);
                                  printf "%-34s %-6s regs %3d  stack %5d  spill-stores %5d  spill-loads %5d  static-smem %6d\n",
                                         fn, arch, regs, stack, st, ld, smem }
    ' "$REPORT.raw" | sort -u > "$REPORT"
    echo "ptxas report: $REPORT ($(wc -l < "$REPORT") kernel/arch entries)"
    if awk '{ if ($8 != 0 || $10 != 0) bad = 1 } END { exit bad ? 0 : 1 }' "$REPORT"; then
        echo "build.sh: register spills (spill-stores / spill-loads must be 0):" >&2
        awk '$8 != 0 || $10 != 0' "$REPORT" >&2
        exit 1
    fi
    if [ ! -s "$REPORT" ]; then echo "build.sh: ptxas reported no kernels" >&2; cat "$REPORT.raw" >&2; exit 1; fi
    mv "$FATBIN.tmp" "$FATBIN"
    # Shipped beside the fatbin: tests check it names exactly the emulator's kernels; a GPU backend can log it.
    cp "$REPORT" "$CLASSES/kernels/ptxas-report.txt"
fi

# ---- 3. SASS check (cuobjdump, optional) ----
SASS="$WORK/sass-report.txt"
if [ ! -x "$CUOBJDUMP" ]; then
    echo "build.sh: no cuobjdump at $CUOBJDUMP; skipping the SASS (HMMA) check"
    exit 0
fi
if newer_than "$SASS" "$FATBIN"; then
    "$CUOBJDUMP" --dump-sass "$FATBIN" > "$SASS.raw" || { echo "build.sh: cuobjdump --dump-sass failed" >&2; exit 1; }
    # One line per kernel and architecture: tensor-core MMAs, ldmatrix and cp.async (LDGSTS) instructions.
    awk '
        /code for sm_/ { match($0, /sm_[0-9a-z]+/); arch = substr($0, RSTART, RLENGTH) }
        /Function :/ { fn = $NF; key = fn " " arch; seen[key] = 1; hmma[key] += 0; ldsm[key] += 0; ldgsts[key] += 0 }
        /[[:space:]]HMMA[.]/ { hmma[key]++ }
        /[[:space:]]LDSM[.]/ { ldsm[key]++ }
        /[[:space:]]LDGSTS[.]/ { ldgsts[key]++ }
        END { for (k in seen) { split(k, a, " ");
                  printf "%-34s %-6s hmma %5d  ldsm %5d  ldgsts %5d\n", a[1], a[2], hmma[k], ldsm[k], ldgsts[k] } }
    ' "$SASS.raw" | sort > "$SASS"
    echo "SASS report: $SASS ($(wc -l < "$SASS") kernel/arch entries)"
    for arch in sm_80 sm_90; do
        if ! grep -q " $arch " "$SASS"; then echo "build.sh: no $arch code in the SASS dump" >&2; exit 1; fi
    done
    if awk '$1 ~ /^tc_(attention|conv2d|gemm)_/ && $4 == 0 { bad = 1 } END { exit bad ? 0 : 1 }' "$SASS"; then
        echo "build.sh: tensor-core kernels without HMMA instructions:" >&2
        awk '$1 ~ /^tc_(attention|conv2d|gemm)_/ && $4 == 0' "$SASS" >&2
        exit 1
    fi
    cp "$SASS" "$CLASSES/kernels/sass-report.txt"
fi
