#!/usr/bin/env bash
# Regenerates every generated file in content/media/files from the sources
# in this repository (see README.md), then checks them all.
#
# Needs, from Debian 12's packages:
#   ffmpeg     encodes the videos (H.264 with libx264, MP4, faststart)
#   espeak-ng  only with NARRATE=1 (see README.md: the committed videos are
#              silent)
#     apt-get install -y ffmpeg        # and espeak-ng to try a narration
# and the Go toolchain that go.mod names. The text is set in Noto Sans,
# embedded in internal/souvenir (copied from fonts-noto-core), so no font
# package is needed.
#
# Usage, from anywhere:  bash content/media/make.sh
#                        NARRATE=1 bash content/media/make.sh
# It replaces the files in place and is safe to run again: the same sources
# and the same tool versions give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.." # the repository root

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "make.sh: $1 not found: apt-get install -y $2" >&2
		exit 1
	fi
}
need go "golang (the version in go.mod)"
need ffmpeg ffmpeg
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null)
if [[ $encoders != *libx264* ]]; then
	echo "make.sh: this ffmpeg has no libx264 encoder (Debian's ffmpeg has it)" >&2
	exit 1
fi
args=()
if [[ ${NARRATE:-0} == 1 ]]; then
	need espeak-ng espeak-ng
	args+=(-narrate)
fi

# Illustrations, PDFs and their covers, posters, captions and videos:
# the tool draws every frame and pipes it to ffmpeg, printing each ffmpeg
# command it runs.
go run ./tools/mkmedia "${args[@]}"

# Every file against the manifest and the media package's checks.
go test -count=1 ./tools/mkmedia/
ls -l content/media/files
du -sh content/media
