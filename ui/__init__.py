"""The web page of 思政助手 (Gradio): layout, handlers, rendering, theme."""
