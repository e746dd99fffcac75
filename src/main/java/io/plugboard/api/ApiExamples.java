package io.plugboard.api;

/** Examples shown in the OpenAPI document. */
final class ApiExamples {

    static final String DESCRIPTION = """
            {"id":"add-mul","version":1,"format":"onnx","backend":"onnxruntime","target":"cpu",
             "placement":"auto: best available of [cpu]","state":"READY","sizeBytes":194,
             "sha256":"9f2c…","createdAt":"2026-11-22T10:00:00Z","files":["add_mul.onnx"],
             "inputs":[{"name":"a","datatype":"FP32","shape":[-1,3]},{"name":"b","datatype":"FP32","shape":[-1,3]}],
             "outputs":[{"name":"sum","datatype":"FP32","shape":[-1,3]},{"name":"product","datatype":"FP32","shape":[-1,3]}],
             "settings":{"instances":1,"queueCapacity":64,"timeoutMs":30000,"maxBatchSize":1,"maxQueueDelayMs":0}}
            """;

    static final String INFER_REQUEST = """
            {"id":"42","inputs":[
              {"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]},
              {"name":"b","shape":[1,3],"datatype":"FP32","data":[[0.5,"NaN",2]]}],
             "outputs":[{"name":"sum"}]}
            """;

    static final String INFER_RESPONSE = """
            {"model_name":"add-mul","model_version":"1","id":"42",
             "outputs":[{"name":"sum","datatype":"FP32","shape":[1,3],"data":[1.5,"NaN",5.0]}]}
            """;

    static final String PROBLEM_400 = """
            {"type":"https://plugboard.io/problems/shape-mismatch","title":"Wrong shape","status":400,
             "detail":"Input 'a' has shape [1, 4]; the model expects [-1, 3] (-1 is any size).",
             "instance":"/v1/models/add-mul/infer","input":"a"}
            """;

    static final String PROBLEM_404 = """
            {"type":"https://plugboard.io/problems/model-not-found","title":"Model not found","status":404,
             "detail":"No model with id 'nope'.","instance":"/v1/models/nope","model":"nope"}
            """;

    static final String PROBLEM_415 = """
            {"type":"https://plugboard.io/problems/unsupported-format","title":"Model format not servable here",
             "status":415,"format":"pytorch-pickle","detail":"Recognised PyTorch torch.save checkpoint, which cannot be served here. …"}
            """;

    private ApiExamples() {
    }
}
