/**
 * tfjs-core's Node bundle ships no gradient functions: they live in
 * `dist/register_all_gradients.js`, an ESM file with directory imports that Node cannot load.
 * tfjs-layers' Node bundle contains and registers all of them (into tfjs's global gradient
 * registry, shared with tfjs-core), so importing it for its side effect makes autodiff work.
 */
import '@tensorflow/tfjs-layers';
