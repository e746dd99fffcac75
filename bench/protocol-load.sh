# Sourced after bench/server.sh by the bench scripts that drive the MLP and the CNN over every
# protocol: sets LOAD_CP (the class path of bench/GrpcLoad.java), writes the request bodies to
# $OUT (the values DirectOrt feeds the engine, (i % 17) / 17) and defines:
#   load HTTP_PORT GRPC_PORT MODEL SERIES CONNECTIONS   one point of load (json, binary, grpc-raw,
#                                                       grpc-typed, grpc-live, grpc-stream) for $D seconds; prints
#                                                       the load generator's CSV line
#   served PID load-arguments...                        the same, as p50_us,server_cpu_us_per_request,requests
#                                                       with PID's CPU time read from /proc around it
#   direct MODEL CONNECTIONS                            ONNX Runtime in-process: p50_us,cpu_us_per_request,requests
CP_FILE="$OUT/.runtime-classpath"
[ -s "$CP_FILE" ] || ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP_FILE"
LOAD_CP="target/classes:$(cat "$CP_FILE")"

printf '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[%s]}]}' \
  "$(perl -e 'print join(",", map { ($_ % 17) / 17 } 0 .. 3)')" > "$OUT/mlp.json"
mlp_header='{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"parameters":{"binary_data_output":true}}'
{ printf '%s' "$mlp_header"; perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 3)'; } > "$OUT/mlp.bin"
printf '{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","data":[%s]}]}' \
  "$(perl -e 'print join(",", map { ($_ % 17) / 17 } 0 .. 12287)')" > "$OUT/cnn.json"
cnn_header='{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","parameters":{"binary_data_size":49152}}],"parameters":{"binary_data_output":true}}'
{ printf '%s' "$cnn_header"; perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 12287)'; } > "$OUT/cnn.bin"

load() {
  local http=$1 grpc_port=$2 m=$3 series=$4 c=$5 h input shape
  case $series in
    json) BODY="$OUT/$m.json" PATH_INFER="/v1/models/$m/infer" wrk -t1 -c"$c" -d"$D"s --latency \
            -s bench/infer.lua "http://127.0.0.1:$http" ;;
    binary) [ "$m" = mlp ] && h="$mlp_header" || h="$cnn_header"
      BODY="$OUT/$m.bin" PATH_INFER="/v1/models/$m/infer" CONTENT_TYPE=application/octet-stream \
        HEADER_LENGTH="${#h}" wrk -t1 -c"$c" -d"$D"s --latency -s bench/infer.lua "http://127.0.0.1:$http" ;;
    grpc-raw|grpc-typed|grpc-live|grpc-stream) [ "$m" = mlp ] && { input=input; shape=1,4; } || { input=image; shape=1,3,64,64; }
      "$JAVA" -cp "$LOAD_CP" bench/GrpcLoad.java "127.0.0.1:$grpc_port" "$m" "$input" "$shape" "${series#grpc-}" \
        "$c" "$D" 2>/dev/null ;;
  esac
}

HZ=$(getconf CLK_TCK)
served() {
  local pid=$1 before after line
  shift
  before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  line=$(load "$@" | grep '^CSV')
  after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  awk -F, -v b="$before" -v a="$after" -v hz="$HZ" '{ printf "%s,%.1f,%s\n", $3, (a - b) * 1e6 / hz / $2, $2 }' <<< "$line"
}

direct() { local f input dims; [ "$1" = mlp ] && { f=mlp; input=input; dims="1 4"; } || { f=cnn; input=image; dims="1 3 64 64"; }
  # shellcheck disable=SC2086
  "$JAVA" -cp "$ORT_JAR" -DallowSpinning=0 bench/DirectOrt.java "src/test/resources/models/onnx/$f.onnx" "$input" $dims -- "$2" "$D" 2>/dev/null \
    | grep '^CSV' | awk -F, '{ printf "%s,%s,%s\n", $3, $8, $2 }'; }
