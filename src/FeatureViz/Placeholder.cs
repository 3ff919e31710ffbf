namespace FeatureViz;
