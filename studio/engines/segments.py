"""Running a backbone one segment at a time, so that a job can yield (and be cancelled) part-way
through the work on a single picture or tile.

A tile's forward and backward pass through VGG16 takes up to ten CPU seconds, and a running
TensorFlow kernel cannot be interrupted: the only way to hear Cancel sooner is to hand control back
more often. So the network is cut where one tensor carries everything onward (after every layer of
a VGG, at the `mixed` blocks of InceptionV3) and each segment runs as its own compiled function.
The gradient runs the segments forward under one tape each, then backward from the last, handing
each segment's input gradient to the one before it: the same arithmetic as one tape over the whole
network, with nothing computed twice, and a yield between any two segments.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import keras
import tensorflow as tf

from studio.core.backbones import Backbone

# What a segment computes for each of the objective's layers in it:
# term(layer name, activation (1, h, w, C), *extra arguments) -> tensors.
LayerTerm = Callable[..., tf.Tensor | tuple[tf.Tensor, ...]]
# Share of a gradient's work in its forward pass (the backward pass costs about twice the forward).
FORWARD_SHARE = 1 / 3


@dataclass(frozen=True)
class Segment:
    """Part of a backbone: a model from the previous cut (the picture for the first) to the
    activations of the objective's layers in it and, when later segments need it, its own cut
    (output `onward`, which may be one of those layers)."""

    model: keras.Model
    layer_names: tuple[str, ...]
    onward: int | None


def segments(backbone: Backbone, layer_names: tuple[str, ...]) -> list[Segment]:
    """`backbone` up to the deepest of `layer_names`, cut at every one of its named layers that
    carries all later work alone (a layer a skip connection jumps over is no cut)."""
    order = {name: index for index, name in enumerate(backbone.layer_names)}
    wanted = sorted(layer_names, key=order.__getitem__)
    deepest = order[wanted[-1]]
    cuts = [name for name in backbone.layer_names[:deepest] if _carries_all_after(backbone, name, wanted)]
    result, start, done = [], backbone.inputs, set()
    for end in [*cuts, None]:
        limit = deepest if end is None else order[end]
        inside = tuple(name for name in wanted if name not in done and order[name] <= limit)
        outputs = [backbone.layer_outputs[name] for name in inside]
        onward = None
        if end is not None:
            onward = inside.index(end) if end in inside else len(outputs)
            outputs += [] if end in inside else [backbone.layer_outputs[end]]
        result.append(Segment(keras.Model(start, outputs), inside, onward))
        done.update(inside)
        start = backbone.layer_outputs[end] if end is not None else start
    return result


def _carries_all_after(backbone: Backbone, cut: str, wanted: list[str]) -> bool:
    order = backbone.layer_names.index
    after = [backbone.layer_outputs[name] for name in wanted if order(name) > order(cut)]
    try:
        keras.Model(backbone.layer_outputs[cut], after)
    except ValueError:  # Keras: an output is not connected to that input alone
        return False
    return True


class _SegmentCall:
    """One segment's compiled work: its output onward and `term` of each of its layers.

    The weights are read through stop_gradient: the tape then records no path to them, so the
    backward pass computes the picture's gradient only (a weight gradient would cost half again)."""

    def __init__(self, backbone: Backbone, segment: Segment, term: LayerTerm, first: bool):
        self.backbone, self.segment, self.term, self.first = backbone, segment, term, first

    def __call__(self, inputs: tf.Tensor, *args: tf.Tensor):
        model = self.segment.model
        if self.first:
            inputs = self.backbone.preprocess(inputs[None])
        outputs, _ = model.stateless_call(
            [tf.stop_gradient(tf.convert_to_tensor(weight)) for weight in model.trainable_variables],
            [tf.stop_gradient(tf.convert_to_tensor(weight)) for weight in model.non_trainable_variables],
            inputs,
        )
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        onward = None if self.segment.onward is None else outputs[self.segment.onward]
        terms = tuple(self.term(name, activation, *args) for name, activation in zip(self.segment.layer_names, outputs))
        return onward, terms


class SegmentedPass:
    """A backbone's segments compiled for one objective: `term` for each of `layer_names`, with
    extra arguments of the given `signature`. Pictures are (H, W, 3) in working space, any size
    (each segment is traced once)."""

    def __init__(
        self,
        backbone: Backbone,
        parts: list[Segment],
        term: LayerTerm,
        signature: list[tf.TensorSpec],
    ):
        self.functions = []
        self.layer_names = [segment.layer_names for segment in parts]
        for index, segment in enumerate(parts):
            channels = segment.model.inputs[0].shape[-1]
            spec = tf.TensorSpec([None, None, 3] if index == 0 else [1, None, None, channels], tf.float32)
            call = _SegmentCall(backbone, segment, term, first=index == 0)
            self.functions.append(tf.function(call, input_signature=[spec, *signature]))

    def tracing_counts(self) -> list[int]:
        return [function.experimental_get_tracing_count() for function in self.functions]

    def forward(self, image: tf.Tensor, *args: tf.Tensor) -> Generator[float, None, dict[str, Any]]:
        """{layer name: its term}, no gradient. Yields the share done between segments."""
        terms = {}
        for index, (function, names) in enumerate(zip(self.functions, self.layer_names)):
            if index:
                yield index / len(self.functions)
            image, segment_terms = function(image, *args)
            terms.update(zip(names, segment_terms))
        return terms

    def gradient(self, image: tf.Tensor, *args: tf.Tensor) -> Generator[float, None, tuple[tf.Tensor, tf.Tensor]]:
        """The sum of every layer's terms (each a vector of loss parts, or a scalar) and the
        gradient of the sum of its parts with respect to `image`. Yields the share done between
        segments, forward and back."""
        count = len(self.functions)
        taped, total, inputs = [], 0.0, image
        for index, function in enumerate(self.functions):
            if index:
                yield FORWARD_SHARE * index / count
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(inputs)
                onward, terms = function(inputs, *args)
                local = tf.add_n(terms) if terms else None
                targets = [] if local is None else [tf.reduce_sum(local)]
            taped.append((tape, inputs, onward, targets))
            total = total if local is None else total + local
            inputs = onward
        upstream = None
        for index in range(count):
            yield FORWARD_SHARE + (1 - FORWARD_SHARE) * index / count
            tape, inputs, onward, targets = taped.pop()
            seeds = [tf.ones(())] * len(targets)
            if upstream is not None:
                targets, seeds = [*targets, onward], [*seeds, upstream]
            upstream = tape.gradient(targets, inputs, output_gradients=seeds)
        return total, upstream
