namespace FeatureViz.Onnx;
