#!/bin/sh
# Pins the Dockerfile's base images (the defaults of ARG JDK_IMAGE, JRE_IMAGE and CUDA_IMAGE) to
# the digest each tag points at now, as <tag>@sha256:<digest>: the digest of the tag's multi-platform
# index, so the pin holds on every platform the image is published for.
#
#   tools/pin-base-images.sh            resolve every tag again and rewrite the pins (an update)
#   tools/pin-base-images.sh --check    fail unless every base image is pinned by digest
#
# Needs `docker buildx imagetools` (Docker with Buildx) and access to the registries; nothing is
# pulled. Run it to take the bases' security updates, rebuild, test, and commit the Dockerfile.
# DOCKERFILE names another file to work on.
set -eu

dockerfile="${DOCKERFILE:-$(dirname "$0")/../Dockerfile}"
args="JDK_IMAGE JRE_IMAGE CUDA_IMAGE"

default_of() {
    sed -n "s/^ARG $1=//p" "$dockerfile" | head -n 1
}

if [ "${1:-}" = "--check" ]; then
    status=0
    for arg in $args; do
        value="$(default_of "$arg")"
        case "$value" in
            *@sha256:*) echo "$arg=$value" ;;
            "") echo "$arg: no ARG default in $dockerfile" >&2; status=1 ;;
            *) echo "$arg=$value is not pinned by digest (run $0)" >&2; status=1 ;;
        esac
    done
    exit "$status"
fi

for arg in $args; do
    value="$(default_of "$arg")"
    if [ -z "$value" ]; then
        echo "$arg: no ARG default in $dockerfile" >&2
        exit 1
    fi
    tag="${value%@sha256:*}"
    digest="$(docker buildx imagetools inspect "$tag" | awk '$1 == "Digest:" { print $2; exit }')"
    case "$digest" in
        sha256:????????????????????????????????????????????????????????????????) ;;
        *) echo "$arg: no digest for $tag (got '$digest')" >&2; exit 1 ;;
    esac
    sed "s|^ARG $arg=.*|ARG $arg=$tag@$digest|" "$dockerfile" > "$dockerfile.tmp"
    mv "$dockerfile.tmp" "$dockerfile"
    if [ "$value" = "$tag@$digest" ]; then
        echo "$arg=$tag@$digest (unchanged)"
    else
        echo "$arg=$tag@$digest (was $value)"
    fi
done
