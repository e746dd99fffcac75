"""A Python client of the Open Inference Protocol over gRPC, as KServe's and Triton's Python
clients use it: stubs generated from src/main/proto/grpc_predict_v2.proto by grpc_tools, raw
tensors in, raw outputs read back in output order, typed contents, status codes; then Triton's
extension methods (messages from src/main/proto/triton_extensions.proto), called by name as
tritonclient's generated stub calls them, its stream included.

    python3 oip_grpc_client.py STUBS_DIR HOST:PORT TYPES_MODEL TYPES_CASES MLP_MODEL MLP_CASES

Prints one line per check and exits non-zero on the first failed one.
"""
import json
import struct
import sys

import grpc
import numpy as np

sys.path.insert(0, sys.argv[1])
import grpc_predict_v2_pb2 as pb  # noqa: E402
import grpc_predict_v2_pb2_grpc as rpc  # noqa: E402
import triton_extensions_pb2 as ext  # noqa: E402

NUMPY = {"FP16": "<f2", "FP32": "<f4", "FP64": "<f8", "INT8": "i1", "INT16": "<i2", "INT32": "<i4",
         "INT64": "<i8", "UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8", "BOOL": "?"}


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (": " + str(detail) if detail else ""))
    if not ok:
        sys.exit(1)


def raw_of(datatype, data):
    if datatype == "BYTES":
        return b"".join(struct.pack("<I", len(s.encode())) + s.encode() for s in data)
    return np.array(data, dtype=NUMPY[datatype]).tobytes()


def values_of(datatype, raw):
    if datatype != "BYTES":
        return np.frombuffer(raw, dtype=NUMPY[datatype]).tolist()
    out, i = [], 0
    while i < len(raw):
        (n,) = struct.unpack_from("<I", raw, i)
        out.append(raw[i + 4:i + 4 + n].decode())
        i += 4 + n
    return out


def same(datatype, got, want):
    if datatype.startswith("FP"):
        return np.allclose(np.array(got, dtype=float), np.array(want, dtype=float), rtol=1e-6, atol=1e-7, equal_nan=True)
    return got == want


class Timed:
    """Every call of the stub with a deadline, so a call left open fails instead of hanging."""

    def __init__(self, stub, seconds):
        self.stub, self.seconds = stub, seconds

    def __getattr__(self, name):
        method = getattr(self.stub, name)
        return lambda request: method(request, timeout=self.seconds)


def main():
    target, types_model, types_cases, mlp_model, mlp_cases = sys.argv[2:7]
    channel = grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0)])
    stub = Timed(rpc.GRPCInferenceServiceStub(channel), 30)
    check("ServerLive", stub.ServerLive(pb.ServerLiveRequest()).live)
    check("ServerReady", stub.ServerReady(pb.ServerReadyRequest()).ready)
    metadata = stub.ServerMetadata(pb.ServerMetadataRequest())
    check("ServerMetadata names the server", metadata.name == "plugboard", metadata.name)
    check("ModelReady", stub.ModelReady(pb.ModelReadyRequest(name=types_model)).ready)
    model = stub.ModelMetadata(pb.ModelMetadataRequest(name=types_model))
    check("ModelMetadata lists the inputs", len(model.inputs) == 10, [t.name for t in model.inputs])

    # raw in, raw out: every datatype of the identity model, read back by output order
    case = json.load(open(types_cases))[0]
    request = pb.ModelInferRequest(model_name=types_model, id="python-1")
    for given in case["request"]["inputs"]:
        tensor = request.inputs.add(name=given["name"], datatype=given["datatype"])
        tensor.shape.extend(given["shape"])
        request.raw_input_contents.append(raw_of(given["datatype"], given["data"]))
    response = stub.ModelInfer(request)
    check("the request id is echoed", response.id == "python-1", response.id)
    check("every output comes raw", len(response.raw_output_contents) == len(response.outputs) == 10)
    wanted = {o["name"]: o for o in case["outputs"]}
    for tensor, raw in zip(response.outputs, response.raw_output_contents):
        want = wanted[tensor.name]
        got = values_of(tensor.datatype, raw)
        check("raw " + tensor.datatype + " round trip", tensor.datatype == want["datatype"]
              and list(tensor.shape) == want["shape"] and same(tensor.datatype, got, want["data"]), got)

    # typed contents in, typed contents out, an outputs subset
    case = json.load(open(mlp_cases))[0]
    given = case["request"]["inputs"][0]
    request = pb.ModelInferRequest(model_name=mlp_model)
    tensor = request.inputs.add(name=given["name"], datatype="FP32")
    tensor.shape.extend(given["shape"])
    tensor.contents.fp32_contents.extend(given["data"])
    want = case["outputs"][0]
    request.outputs.add(name=want["name"])
    response = stub.ModelInfer(request)
    check("typed request answered typed", len(response.raw_output_contents) == 0 and len(response.outputs) == 1)
    out = response.outputs[0]
    check("typed FP32 values", out.name == want["name"] and list(out.shape) == want["shape"]
          and same("FP32", list(out.contents.fp32_contents), want["data"]))

    # status codes, with the problem type in the trailers
    def status_of(call):
        try:
            call()
        except grpc.RpcError as e:
            trailers = dict(e.trailing_metadata() or ())
            return e.code(), e.details(), trailers.get("problem-type", "")
        return None, None, None

    code, detail, problem = status_of(lambda: stub.ModelInfer(pb.ModelInferRequest(model_name="no-such-model")))
    check("unknown model is NOT_FOUND", code == grpc.StatusCode.NOT_FOUND and problem.endswith("/model-not-found"),
          (code, detail, problem))
    code, detail, problem = status_of(lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name="no-such-model")))
    check("unknown model metadata is NOT_FOUND", code == grpc.StatusCode.NOT_FOUND, (code, detail))
    bad = pb.ModelInferRequest(model_name=mlp_model)
    tensor = bad.inputs.add(name=given["name"], datatype="FP32")
    tensor.shape.extend([1, 3])
    bad.raw_input_contents.append(np.zeros(3, dtype="<f4").tobytes())
    code, detail, problem = status_of(lambda: stub.ModelInfer(bad))
    check("a wrong shape is INVALID_ARGUMENT", code == grpc.StatusCode.INVALID_ARGUMENT and "shape" in detail,
          (code, detail, problem))
    short = pb.ModelInferRequest(model_name=mlp_model)
    tensor = short.inputs.add(name=given["name"], datatype="FP32")
    tensor.shape.extend([1, 4])
    short.raw_input_contents.append(b"\0" * 15)
    code, detail, problem = status_of(lambda: stub.ModelInfer(short))
    check("short raw contents are INVALID_ARGUMENT", code == grpc.StatusCode.INVALID_ARGUMENT, (code, detail))

    # Triton's extensions, by name as tritonclient's stub calls them
    def triton(method, request, response_type):
        call = channel.unary_unary("/inference.GRPCInferenceService/" + method,
                                   request_serializer=request.__class__.SerializeToString,
                                   response_deserializer=response_type.FromString)
        return call(request, timeout=30)

    config = triton("ModelConfig", ext.ModelConfigRequest(name=mlp_model), ext.ModelConfigResponse).config
    check("ModelConfig describes the inputs", config.name == mlp_model and config.max_batch_size == 0
          and [(i.name, i.data_type, list(i.dims)) for i in config.input] == [(given["name"], ext.TYPE_FP32, [-1, 4])],
          config)
    stats = triton("ModelStatistics", ext.ModelStatisticsRequest(name=mlp_model), ext.ModelStatisticsResponse)
    counted = stats.model_stats[0].inference_stats if len(stats.model_stats) == 1 else None
    check("ModelStatistics counts the answers", counted is not None and counted.success.count == 1
          and counted.fail.count == 1 and counted.compute_infer.ns > 0, stats)
    index = triton("RepositoryIndex", ext.RepositoryIndexRequest(ready=True), ext.RepositoryIndexResponse)
    check("RepositoryIndex lists the models", {types_model, mlp_model} <= {m.name for m in index.models}, index)
    unload = ext.RepositoryModelUnloadRequest(model_name=mlp_model)
    unload.parameters["unload_dependents"].bool_param = False
    triton("RepositoryModelUnload", unload, ext.RepositoryModelUnloadResponse)
    check("RepositoryModelUnload", not stub.ModelReady(pb.ModelReadyRequest(name=mlp_model)).ready)
    triton("RepositoryModelLoad", ext.RepositoryModelLoadRequest(model_name=mlp_model), ext.RepositoryModelLoadResponse)
    check("RepositoryModelLoad", stub.ModelReady(pb.ModelReadyRequest(name=mlp_model)).ready)
    code, detail, problem = status_of(lambda: triton("ModelConfig", ext.ModelConfigRequest(name="no-such-model"),
                                                     ext.ModelConfigResponse))
    check("unknown model config is NOT_FOUND", code == grpc.StatusCode.NOT_FOUND, (code, detail))

    # Triton's stream, as tritonclient's start_stream and async_stream_infer use it: requests from an
    # iterator, answers as they complete, a failure carried in error_message without ending the stream
    stream = channel.stream_stream("/inference.GRPCInferenceService/ModelStreamInfer",
                                   request_serializer=pb.ModelInferRequest.SerializeToString,
                                   response_deserializer=ext.ModelStreamInferResponse.FromString)
    good = pb.ModelInferRequest(model_name=mlp_model, id="stream-ok")
    tensor = good.inputs.add(name=given["name"], datatype="FP32")
    tensor.shape.extend(given["shape"])
    good.raw_input_contents.append(np.array(given["data"], dtype="<f4").tobytes())
    good.parameters["triton_enable_empty_final_response"].bool_param = True
    missing = pb.ModelInferRequest(model_name="no-such-model", id="stream-missing")
    answers = {a.infer_response.id: a for a in stream(iter([missing, good]), timeout=30)}
    check("ModelStreamInfer answers every request", sorted(answers) == ["stream-missing", "stream-ok"], answers)
    ok = answers["stream-ok"].infer_response
    names = [t.name for t in ok.outputs]
    check("a streamed answer comes raw", answers["stream-ok"].error_message == "" and want["name"] in names
          and same("FP32", list(np.frombuffer(ok.raw_output_contents[names.index(want["name"])], dtype="<f4")),
                   want["data"]), answers["stream-ok"])
    check("the final-response flag asked for", ok.parameters["triton_final_response"].bool_param, ok.parameters)
    check("a streamed failure is carried in error_message",
          "no-such-model" in answers["stream-missing"].error_message, answers["stream-missing"])


if __name__ == "__main__":
    main()
