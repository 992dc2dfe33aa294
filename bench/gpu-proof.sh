#!/usr/bin/env bash
# Proves the NVIDIA path of this machine with its own ffmpeg, on a generated clip: NVDEC decode (frames
# that stay on the GPU), CUDA scaling (scale_cuda), NVENC encode (H.264, HEVC, AV1) and the whole
# GPU pipeline decode → scale → encode. Each check is verified with ffprobe (codec, size, frame count),
# not taken from ffmpeg's exit code. Not run in CI: it needs an NVIDIA GPU and its driver.
# Usage: bench/gpu-proof.sh   (FFMPEG_PATH / FFPROBE_PATH pick another ffmpeg)
# Exit 0 when the required checks (nvdec, cuda_scale, nvenc_h264, gpu_pipeline, worker_nvenc) pass.
# Last line, one JSON object as every bench's: gpu, nvdec, cuda_scale, nvenc_h264, nvenc_hevc, nvenc_av1,
# gpu_pipeline, worker_nvenc, each "pass", "fail" or "skip".
set -u

FFMPEG=${FFMPEG_PATH:-ffmpeg}
FFPROBE=${FFPROBE_PATH:-ffprobe}
WIDTH=1280 HEIGHT=720 FPS=30 CLIP_SECONDS=4
FRAMES=$((FPS * CLIP_SECONDS))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A result
failed_required=0

ff() { "$FFMPEG" -hide_banner -nostdin -y -v error "$@"; }

# codec,width,height,frames of the first video stream, counted by decoding.
probe() {
  "$FFPROBE" -v error -select_streams v:0 -count_frames \
    -show_entries stream=codec_name,width,height,nb_read_frames -of csv=p=0 "$1" 2>/dev/null
}

# check <key> <required|optional> <expected probe line> <output file> <ffmpeg args…>
check() {
  local key=$1 need=$2 expected=$3 output=$4
  shift 4
  local started ended got
  started=$(date +%s.%N)
  if ! ff "$@" >"$work/$key.log" 2>&1; then
    result[$key]=fail
    echo "FAIL $key: ffmpeg failed"
    grep -v '^\s*$' "$work/$key.log" | tail -n 4 | sed 's/^/       /'
  else
    ended=$(date +%s.%N)
    got=$(probe "$output")
    if [ "$got" = "$expected" ]; then
      result[$key]=pass
      printf 'PASS %s: %s in %s s\n' "$key" "$got" "$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')"
    else
      result[$key]=fail
      echo "FAIL $key: output is '$got', expected '$expected'"
    fi
  fi
  if [ "${result[$key]}" = fail ] && [ "$need" = required ]; then failed_required=1; fi
}

# A GPU must be there before anything else means something.
if command -v nvidia-smi >/dev/null 2>&1 && gpus=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null) && [ -n "$gpus" ]; then
  result[gpu]=pass
  echo "GPU: $gpus" | head -n 4
else
  result[gpu]=fail
  failed_required=1
  echo "FAIL gpu: nvidia-smi found no NVIDIA GPU (driver missing, or no device in this container)"
fi
echo "ffmpeg: $("$FFMPEG" -hide_banner -version 2>/dev/null | head -n 1)"
for filter in scale_cuda hwupload_cuda; do
  "$FFMPEG" -hide_banner -filters 2>/dev/null | grep -qw "$filter" || echo "note: this ffmpeg has no $filter filter"
done

# The source: a software H.264 clip, as a user would upload it.
source="$work/source.mp4"
if ! ff -f lavfi -i "testsrc2=s=${WIDTH}x${HEIGHT}:r=${FPS}:d=${CLIP_SECONDS}" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g "$FPS" "$source" >"$work/source.log" 2>&1; then
  echo "cannot make the test clip with libx264:"
  tail -n 4 "$work/source.log"
  exit 2
fi
echo "source: $(probe "$source")"

if [ "${result[gpu]}" = pass ]; then
  # NVDEC: with -hwaccel_output_format cuda a decoded frame stays on the GPU, so hwdownload only
  # succeeds when NVDEC really decoded it (a software fallback hands hwdownload plain frames and fails).
  check nvdec required "h264,$WIDTH,$HEIGHT,$FRAMES" "$work/nvdec.mp4" \
    -hwaccel cuda -hwaccel_output_format cuda -i "$source" \
    -vf hwdownload,format=nv12 -c:v libx264 -preset ultrafast "$work/nvdec.mp4"
  # Bit-exact against the software decoder: H.264 decoding is deterministic.
  if [ "${result[nvdec]}" = pass ]; then
    ff -hwaccel cuda -hwaccel_output_format cuda -i "$source" -vf hwdownload,format=nv12 -f framemd5 "$work/gpu.md5"
    ff -i "$source" -vf format=nv12 -f framemd5 "$work/cpu.md5"
    if cmp -s <(grep -v '^#' "$work/gpu.md5" | cut -d, -f6) <(grep -v '^#' "$work/cpu.md5" | cut -d, -f6); then
      echo "     nvdec frames are bit-identical to the software decoder's"
    else
      echo "     note: nvdec frames differ from the software decoder's"
    fi
  fi

  # CUDA scaling on GPU frames, downloaded and encoded in software so it is proven without NVENC.
  check cuda_scale required "h264,640,360,$FRAMES" "$work/scaled.mp4" \
    -hwaccel cuda -hwaccel_output_format cuda -i "$source" \
    -vf scale_cuda=640:360,hwdownload,format=nv12 -c:v libx264 -preset ultrafast "$work/scaled.mp4"

  # NVENC, each codec, with the options encoder-ffmpeg's recipes give it (preset p4, tune hq, VBR).
  nvenc_args=(-preset p4 -tune hq -rc vbr -b:v 3000k -maxrate 3300k -bufsize 6000k -g 60)
  check nvenc_h264 required "h264,$WIDTH,$HEIGHT,$FRAMES" "$work/nvenc_h264.mp4" \
    -i "$source" -vf format=yuv420p -c:v h264_nvenc "${nvenc_args[@]}" -profile:v high "$work/nvenc_h264.mp4"
  check nvenc_hevc optional "hevc,$WIDTH,$HEIGHT,$FRAMES" "$work/nvenc_hevc.mp4" \
    -i "$source" -vf format=yuv420p -c:v hevc_nvenc "${nvenc_args[@]}" "$work/nvenc_hevc.mp4"
  if "$FFMPEG" -hide_banner -encoders 2>/dev/null | grep -qw av1_nvenc; then
    # AV1 NVENC needs an Ada (RTX 40, L4, L40) or newer GPU; elsewhere this fails, which is expected.
    check nvenc_av1 optional "av1,$WIDTH,$HEIGHT,$FRAMES" "$work/nvenc_av1.mp4" \
      -i "$source" -vf format=yuv420p -c:v av1_nvenc "${nvenc_args[@]}" "$work/nvenc_av1.mp4"
  else
    result[nvenc_av1]=skip
    echo "SKIP nvenc_av1: this ffmpeg has no av1_nvenc"
  fi

  # The whole path on the GPU: NVDEC → scale_cuda → NVENC, no frame through system memory.
  check gpu_pipeline required "h264,640,360,$FRAMES" "$work/pipeline.mp4" \
    -hwaccel cuda -hwaccel_output_format cuda -i "$source" \
    -vf scale_cuda=640:360 -c:v h264_nvenc "${nvenc_args[@]}" "$work/pipeline.mp4"
else
  for key in nvdec cuda_scale nvenc_h264 nvenc_hevc nvenc_av1 gpu_pipeline; do result[$key]=skip; done
fi

# What a worker of this checkout would do here: its one-frame proofs (detectEncoders) and the encoder
# selection matrix for an H.264 job with prefer_gpu on this NVIDIA machine.
repo=$(cd "$(dirname "$0")/.." && pwd)
node="$repo/node_modules/.bin/node"
if [ -x "$node" ] && [ -f "$repo/plugins/encoder-ffmpeg/detectEncoders.ts" ]; then
  if choice=$(cd "$repo" && FFMPEG_PATH="$FFMPEG" "$node" --input-type=module -e '
    const { detectEncoders } = await import("./plugins/encoder-ffmpeg/detectEncoders.ts");
    const { selectEncoder } = await import("./domain/encoding/selectEncoder.ts");
    const proven = await detectEncoders({ ffmpegPath: process.env.FFMPEG_PATH });
    console.log(`proven: ${proven.encoders.map((e) => e.name + (e.hardware ? " (gpu)" : "")).join(", ")}`);
    const choice = selectEncoder({
      codec: "h264", proven: proven.encoders, gpuVendors: ["nvidia"], preferGpu: true, profileHardware: "off",
    });
    const names = choice._tag === "EncoderChoice" ? choice.encoders.map((e) => e.name) : [];
    console.log(`prefer_gpu h264 job: ${names.join(" then ") || choice.message}`);
    process.exit(names[0] === "h264_nvenc" ? 0 : 1);
  ' 2>&1); then
    result[worker_nvenc]=pass
    echo "PASS worker_nvenc: a worker proves h264_nvenc and routes a prefer_gpu job to it"
  else
    result[worker_nvenc]=fail
    failed_required=1
    echo "FAIL worker_nvenc: a worker here would not encode on the GPU"
  fi
  printf '%s\n' "$choice" | sed 's/^/       /'
else
  result[worker_nvenc]=skip
  echo "SKIP worker_nvenc: no installed checkout beside this script (run the package install first)"
fi

keys=(gpu nvdec cuda_scale nvenc_h264 nvenc_hevc nvenc_av1 gpu_pipeline worker_nvenc)
line=""
for key in "${keys[@]}"; do line+="${line:+,}\"$key\":\"${result[$key]}\""; done
echo "{$line}"
exit "$failed_required"
