/**
 * wav2vec2 CTC as one ONNX graph: waveform [1, N] → log-softmax emissions [1, T, vocab], with the
 * same structure as the MLX model: conv feature extractor (GroupNorm on the first layer, or
 * LayerNorm on every layer), feature projection, grouped positional conv (even kernel trimmed),
 * post-LN or stable-LN transformer layers (ONNX Runtime's fused multi-head attention), LM head.
 */
import type { Wav2Vec2Config } from "@whisperx-mlx/core";
import { permute } from "../tensor.js";
import { GraphBuilder } from "./graph-builder.js";
import { gelu, get, layerNorm, linear, type Weights } from "./layers.js";

/** Builds the graph from MLX-layout float32 weights. */
export function wav2vec2Graph(c: Wav2Vec2Config, w: Weights): GraphBuilder {
  const g = new GraphBuilder("wav2vec2_ctc");
  const audio = g.input("audio", { type: "float32", shape: [1, "samples"] });
  const toTime = (x: string) => g.op("Transpose", [x], { perm: [0, 2, 1] });
  // MLX stores convs as (out, k, in/groups); ONNX Conv wants (out, in/groups, k).
  const convWeight = (name: string) => g.initializer(name, permute(get(w, name), [0, 2, 1]));
  let h = g.op("Unsqueeze", [audio, g.constInt([1])]); // [1, 1, N]
  for (let i = 0; i < c.conv_kernel.length; i++) {
    const pre = `feature_extractor.conv_layers.${i}`;
    const inputs = [h, convWeight(`${pre}.conv.weight`)];
    if (c.conv_bias) inputs.push(g.initializer(`${pre}.conv.bias`, get(w, `${pre}.conv.bias`)));
    h = g.op("Conv", inputs, { kernel_shape: [c.conv_kernel[i]], strides: [c.conv_stride[i]] }); // [1, C, T]
    if (c.feat_extract_norm === "layer") {
      h = toTime(layerNorm(g, w, toTime(h), `${pre}.layer_norm`, c.layer_norm_eps));
    } else if (i === 0) {
      // GroupNorm with one group per channel is instance normalisation over time.
      h = g.op("InstanceNormalization", [h, g.initializer(`${pre}.layer_norm.weight`, get(w, `${pre}.layer_norm.weight`)), g.initializer(`${pre}.layer_norm.bias`, get(w, `${pre}.layer_norm.bias`))], { epsilon: { float: 1e-5 } });
    }
    h = gelu(g, h);
  }
  h = toTime(h); // [1, T, C]
  h = linear(g, w, layerNorm(g, w, h, "feature_projection.layer_norm", c.layer_norm_eps), "feature_projection.projection");
  const k = c.num_conv_pos_embeddings;
  let pos = g.op("Conv", [toTime(h), convWeight("encoder.pos_conv_embed.conv.weight"), g.initializer("encoder.pos_conv_embed.conv.bias", get(w, "encoder.pos_conv_embed.conv.bias"))], {
    kernel_shape: [k],
    pads: [Math.floor(k / 2), Math.floor(k / 2)],
    group: c.num_conv_pos_embedding_groups,
  });
  if (k % 2 === 0) pos = g.op("Slice", [pos, g.constInt([0]), g.constInt([-1]), g.constInt([2])]);
  h = g.op("Add", [h, toTime(gelu(g, pos))]);
  const eps = c.layer_norm_eps;
  if (!c.do_stable_layer_norm) h = layerNorm(g, w, h, "encoder.layer_norm", eps);
  const attention = (x: string, pre: string) => {
    const a = g.node("MultiHeadAttention", [linear(g, w, x, `${pre}.q_proj`), linear(g, w, x, `${pre}.k_proj`), linear(g, w, x, `${pre}.v_proj`)], { attrs: { num_heads: c.num_attention_heads }, domain: "com.microsoft" })[0];
    return linear(g, w, a, `${pre}.out_proj`);
  };
  const feedForward = (x: string, pre: string) => linear(g, w, gelu(g, linear(g, w, x, `${pre}.feed_forward.intermediate_dense`)), `${pre}.feed_forward.output_dense`);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const pre = `encoder.layers.${i}`;
    if (c.do_stable_layer_norm) {
      h = g.op("Add", [h, attention(layerNorm(g, w, h, `${pre}.layer_norm`, eps), `${pre}.attention`)]);
      h = g.op("Add", [h, feedForward(layerNorm(g, w, h, `${pre}.final_layer_norm`, eps), pre)]);
    } else {
      h = layerNorm(g, w, g.op("Add", [h, attention(h, `${pre}.attention`)]), `${pre}.layer_norm`, eps);
      h = layerNorm(g, w, g.op("Add", [h, feedForward(h, pre)]), `${pre}.final_layer_norm`, eps);
    }
  }
  if (c.do_stable_layer_norm) h = layerNorm(g, w, h, "encoder.layer_norm", eps);
  g.output(g.op("LogSoftmax", [linear(g, w, h, "lm_head")], { axis: -1 }), "emissions", { type: "float32", shape: [1, "frames", c.vocab_size] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "wav2vec2-ctc" });
  return g;
}
