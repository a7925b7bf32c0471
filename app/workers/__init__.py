"""Celery workers for the overnight batch: the app, its tasks, the claims that keep them idempotent, the fan-out."""

STAGE_NAMES = {
    "score": "评分（分片）",
    "draft": "AI 诊断与方案预生成",
    "rescore": "诊断后重新评分",
    "dispatch": "发送已批准的今日步骤",
    "reminders": "分期提醒",
}
"""Chinese names of the night's stages, for `steward batch status` and the 夜间批处理 page."""
